@area:errors
Feature: startMessaging failures provoked by fixture accounts
  PROFILE.md §10, ERR-8, ERR-11 and ERR-13: the target's fixture users can sign in, but their startMessaging to the
  callee fails synchronously with the listed status and subcode. Without the fixture the requirement is not
  applicable.

  @req:ERR-8 @must @fixture:invalidExchangeServerVersion
  Scenario: The Exchange-version fixture user gets 500 InvalidExchangeServerVersion
    When the invalidExchangeServerVersion fixture user tries to start messaging the callee
    Then the request is refused with 500 ServiceFailure / InvalidExchangeServerVersion

  @req:ERR-11 @must @fixture:tooManyGroups
  Scenario: The too-many-groups fixture user gets 409 TooManyGroups
    When the tooManyGroups fixture user tries to start messaging the callee
    Then the request is refused with 409 Conflict / TooManyGroups

  @req:ERR-13 @must @fixture:cannotRedirect
  Scenario: The cannot-redirect fixture user gets 410 CannotRedirect
    When the cannotRedirect fixture user tries to start messaging the callee
    Then the request is refused with 410 Gone / CannotRedirect
