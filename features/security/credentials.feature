@area:security
Feature: Credentials and transport security
  PROFILE.md §11.1 (SEC-4, SEC-5): no response except the token response reveals a password or bearer token —
  error responses and event batches included, in this scenario and in every other scenario of the run — and a
  deployed target serves discovery and every href over HTTPS.

  Background:
    Given the caller and the callee are ready for messaging
    And the caller has started messaging the callee
    And the callee has received the invitation
    And the callee has accepted the invitation
    And both invitations have completed

  @req:SEC-4 @must
  Scenario: No response except the token response reveals a password or token
    When the caller makes requests that are refused with 400, 404, 405, 409 and 410, with its token
    Then no response other than a token response contains a password or bearer token

  @req:SEC-5 @should
  Scenario: Discovery and every href use HTTPS
    Then the discovery URL and every URL the target gave use https
    And every callback URL of the TAA accounts uses https
