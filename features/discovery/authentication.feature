@area:sign-in
Feature: Password sign-in errors and bearer-token authentication
  PROFILE.md §3.2: the token endpoint refuses a wrong password and an unknown grant type, and every
  application-API request without a token the server issued is answered 401 before anything else is checked,
  and has no effect.

  @req:AUTH-2 @must @needs:caller-password
  Scenario: A wrong password is refused with 400 and no access token
    Given the caller has been challenged for credentials
    When the caller signs in with a wrong password
    Then the token endpoint refuses the grant with 400 and an error string

  @req:AUTH-3 @should
  Scenario: An unknown grant type is refused as unsupported_grant_type
    Given the caller has been challenged for credentials
    When the caller asks for a token with an unknown grant type
    Then the token endpoint refuses the grant with 400 and error "unsupported_grant_type"

  @req:AUTH-4 @must @via-needs:ucwa-caller
  Scenario Outline: Reading and cancelling an invitation with <credentials> gets 401
    Given the caller and the callee are ready for messaging
    And the caller has started messaging the callee
    When the caller reads and cancels its invitation with <credentials>
    Then both requests are answered 401 with a WWW-Authenticate challenge
    And the caller's invitation still reads back as Connecting

    Examples:
      | credentials                           |
      | no Authorization header               |
      | a bearer token the server never issued |

  @req:AUTH-5 @must @via-needs:ucwa-caller
  Scenario Outline: <request> without a token gets 401 before any other check
    Given the caller and the callee are ready for messaging
    And the caller has started messaging the callee
    When the caller sends <request> without a token
    Then the unauthenticated request is answered 401

    Examples:
      | request                                     |
      | a GET on the probe URL of its invitation    |
      | a PUT on its invitation                     |
      | a startMessaging with a text/plain body     |
