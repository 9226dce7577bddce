@area:events
Feature: Timing of the event channel
  PROFILE.md §8 (EV-3, EV-10): an idle pending GET stays open until its timeout, and invitation events are High
  priority: a pending GET delivers them within 1 s of the response to the request that caused them.

  Rule: EV-3 An idle event request stays open and is released empty by its timeout

    @req:EV-3 @should @slow
    Scenario: An idle event request is not answered empty within 5 s
      Given the caller has a throw-away application
      When the caller parks an event request on that application
      Then the event request is not answered with an empty batch within 5 s

    @req:EV-3 @should @slow @long-running
    Scenario: An idle event request is released with an empty batch by its timeout
      Given the caller has a throw-away application
      When the caller parks an event request on that application
      Then the event request is released with an empty batch within 180 s

  @req:EV-10 @must
  Scenario Outline: Invitation events arrive within 1 s of the <action> that caused them
    Given the caller and the callee are ready for messaging
    When the caller starts messaging the callee
    Then both started events arrive within 1 s of the startMessaging response
    When the invitation is completed by the <role>'s <action>
    Then both completed events arrive within 1 s of the <action> response

    Examples:
      | action  | role   |
      | accept  | callee |
      | decline | callee |
      | cancel  | caller |
