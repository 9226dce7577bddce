@area:lifecycle
Feature: The invitation lifecycle
  PROFILE.md §9: an outgoing invitation starts Connecting and completes exactly once; an available callee gets the
  matching incoming invitation and both sides agree on the end (§9.1, §9.2); unanswered invitations time out inside
  the declared window; unreachable targets fail in time; completed invitations stay readable; a racing cancel and
  accept end consistently.

  Background:
    Given the caller and the callee are ready for messaging

  @req:LC-1 @must
  Scenario: An outgoing invitation starts Connecting and completes once into a final state
    Given the caller has started messaging the callee
    When the caller reads its invitation before any answer
    And the callee has received the invitation
    And the callee has accepted the invitation
    And the caller reads its invitation twice after completion
    Then the caller's invitation was Connecting, completed exactly once and kept its final state

  @req:LC-2 @must
  Scenario: The callee's incoming invitation completes once and agrees with the caller's
    Given the caller has started messaging the callee
    And the callee has received the invitation
    And the callee has declined the invitation
    Then the callee's invitation arrived Incoming and Connecting, offering accept and decline
    And each side completed exactly once and both agree on the outcome

  @req:LC-3 @must @slow
  Scenario: An unanswered invitation times out on both sides inside the window
    Given the caller has started messaging the callee
    And the callee has received the invitation
    When nobody answers the invitation until the no-answer window closes
    Then the caller's invitation completes with Failure RemoteFailure / Timeout
    And the callee's invitation completes with Failure LocalFailure / Timeout or Informational / Missed
    And both completions arrive inside the no-answer window after the caller's 201

  @req:LC-4 @must
  Scenario: An unknown target fails with DestinationNotFound before the window closes
    When the caller starts messaging an unknown user in the callee's domain
    Then the invitation to that target is created all the same
    And the caller's invitation completes with Failure NotFound / DestinationNotFound before the window closes
    And the caller's channel carries one started and then one completed for that invitation
    And no incoming invitation with the caller's threadId reaches the callee

  @req:LC-5 @must @needs:unavailable
  Scenario: A target with no available endpoint fails with TemporarilyUnavailable
    When the caller starts messaging the unavailable user
    Then the invitation to that target is created all the same
    And the caller's invitation completes with Failure RemoteFailure / TemporarilyUnavailable before the window closes
    And the caller's channel carries one started and then one completed for that invitation

  @req:LC-6 @must
  Scenario Outline: A completed invitation reads back with its final representation (<case>)
    Given the caller has started messaging the callee
    And the callee has received the invitation
    And the callee has <answer> the invitation
    When both sides read their invitations <when>
    Then each read answers 200 with the final representation

    Examples:
      | case                                 | answer   | when                   |
      | declined, GET right after completion | declined | right after completion |

    @slow
    Examples:
      | case                                | answer   | when                        |
      | declined, GET 30 s after completion | declined | again 30 s after completion |
      | accepted, GET 30 s after completion | accepted | again 30 s after completion |

  @req:LC-7 @must
  Scenario Outline: A racing cancel and accept each get 204 or 409 and agree (<offset>)
    Given the caller has started messaging the callee
    And the callee has received the invitation
    When the caller cancels <offset> the callee's accept
    Then each of the racing requests gets 204 or 409 Conflict / None
    And both sides agree on the outcome that the successful request decided

    Examples: the whole answer window, from before the accept until the caller's completion arrives
      | offset                                                      |
      | 20 ms before                                                |
      | at the same moment as                                       |
      | as soon as the 204 arrives of                               |
      | 300 ms after the 204 of                                     |
      | every 100 ms until the caller's completed event, following  |
