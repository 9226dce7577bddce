@area:cancel
Feature: Cancelling an outgoing invitation
  PROFILE.md §7.3: while its invitation is Connecting the caller cancels with a POST on cancel; both invitations then
  fail with the paired Canceled reasons. After completion the cancel link acts on nothing and is refused.

  Background:
    Given the caller and the callee are ready for messaging
    And the caller has started messaging the callee
    And the callee has received the invitation

  @req:CAN-1 @must
  Scenario: cancel on a Connecting outgoing invitation answers 204 No Content
    When the caller cancels the invitation
    Then the request succeeds with 204 No Content

  @req:CAN-2 @must
  Scenario: A cancelled invitation fails on both sides with the paired Canceled reasons
    Given the caller has cancelled the invitation
    Then the caller's invitation completes with Failure LocalFailure / Canceled
    And the callee's invitation completes with Failure RemoteFailure / Canceled
    And both invitations read back in state "Failed"

  @req:CAN-3 @must
  Scenario: cancel after an accepted invitation gets 409 and changes nothing
    Given the caller's invitation offers cancel while it is Connecting
    And the callee has accepted the invitation
    And both invitations have completed
    When the caller cancels again on the remembered cancel link
    Then the request is refused with 409 Conflict / None
    And the caller's invitation and messaging are unchanged by the refused cancel
