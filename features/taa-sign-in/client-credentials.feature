@area:taa-sign-in
Feature: Client-credentials tokens from the target's token endpoint
  PROFILE.md §15.3 (TAUTH-5, TAUTH-6): when the target issues its tokens itself, its token endpoint grants each TAA
  account a bearer token for its client id and secret, and refuses a wrong secret without a token.

  @req:TAUTH-5 @must @via-needs:taa-caller @needs:taa-token-issuer @needs:taa-client-secret
  Scenario: Each TAA account with a client secret gets a bearer token that reads the discovery document
    When each TAA account with a client secret asks the token endpoint for a client-credentials token
    Then every token response carries a bearer access token with a positive expiry
    And every granted token reads the platform discovery document

  @req:TAUTH-6 @must @via-needs:taa-caller @needs:taa-token-issuer @needs:taa-client-secret
  Scenario: A wrong client secret gets an OAuth error and no token
    When the caller asks the token endpoint for a client-credentials token with a wrong client secret
    Then the token endpoint refuses the client with 400 or 401, an error string and no access token
