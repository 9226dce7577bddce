@area:callbacks
Feature: Every callback is a signed event batch
  PROFILE.md §15.6 (CB-1, CB-2, CB-5, CB-6): each POST the suite's receiver records is a JSON event batch
  with a baseuri against which its relative hrefs resolve to the right resources, carries a bearer JWS with the
  expected header and claims, signed by a key of the declared key set.

  Background:
    Given the caller and the callee are ready for messaging
    And the caller has started messaging the callee
    And the callee has received the invitation
    And the callee has accepted the invitation
    And both invitations have completed

  @req:CB-1 @must @via-needs:taa-callee
  Scenario: Every callback is a JSON event batch with an absolute baseuri
    Then every callback of this scenario is a JSON event batch with an absolute baseuri

  @req:CB-2 @must @via-needs:taa-callee
  Scenario: The hrefs of every callback resolve against its baseuri to the invitation and the communication
    Then every invitation event of this scenario's callbacks resolves against baseuri to its invitation and communication

  @req:CB-5 @must @via-needs:taa-callee
  Scenario Outline: Every callback carries a bearer JWS whose <part> is as declared
    Then every callback of this scenario carries a bearer JWS whose <part> is as declared

    Examples:
      | part                 |
      | header and claims    |

    @needs:callback-audience
    Examples:
      | part                 |
      | audience             |

  @req:CB-6 @must @via-needs:taa-callee @needs:callback-keys
  Scenario: Every callback's JWS verifies with the declared key of its kid
    Then the JWS of every callback of this scenario verifies with the declared key of its kid
