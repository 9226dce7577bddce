@area:errors
Feature: Unknown and foreign invitations answer 404
  PROFILE.md §10, ERR-6 and ERR-7: a URL the server never issued (the probe URL) and another user's invitation and
  action links answer 404 NotFound/None; a request on another user's invitation has no effect.

  @req:ERR-6 @must
  Scenario: The probe URL of an existing invitation answers 404
    Given the caller and the callee are ready for messaging
    And the caller has started messaging the callee
    When the caller tries to read the probe URL of its invitation
    Then the request is refused with 404 NotFound / None

  @req:ERR-7 @must @via-needs:same-transport
  Scenario Outline: The <actor> cannot <action> the <owner>'s invitation: 404 and no effect
    Given both sides hold a connecting invitation
    When the <actor> tries to <action> the <owner>'s invitation
    Then the request is refused as for another principal's invitation
    And both invitations keep their state and links

    Examples:
      | actor  | action  | owner  |
      | callee | read    | caller |
      | callee | cancel  | caller |
      | caller | accept  | callee |
      | caller | decline | callee |
