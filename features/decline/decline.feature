@area:decline
Feature: Declining an incoming invitation
  PROFILE.md §7.2: the callee declines with a POST on decline, with no body or with a listed reason; both
  invitations then fail with the paired Declined reasons, and the invitation can be answered no more.

  Background:
    Given the caller and the callee are ready for messaging
    And the caller has started messaging the callee
    And the callee has received the invitation

  @req:DEC-1 @must
  Scenario Outline: decline with <case> answers 204 No Content
    When the callee declines the invitation <how>
    Then the request succeeds with 204 No Content

    Examples:
      | case          | how                        |
      | no body       | with no body               |
      | reason Local  | giving the reason "Local"  |
      | reason Global | giving the reason "Global" |

  @req:DEC-2 @must
  Scenario: A declined invitation fails on both sides with the paired Declined reasons
    Given the callee has declined the invitation
    Then the caller's invitation completes with Failure RemoteFailure / Declined
    And the callee's invitation completes with Failure LocalFailure / Declined
    And both invitations read back in state "Failed"

  @req:DEC-3 @must
  Scenario: After decline the invitation offers no answer and refuses another
    Given the callee has declined the invitation
    When the callee reads its answered invitation and answers it again with accept and decline
    Then the callee's invitation read right after the answer offers neither accept nor decline
    And the further accept and decline are each refused with 409 Conflict / None
