@area:accept
Feature: Accepting an incoming invitation
  PROFILE.md §7.1: the callee accepts with a POST on accept; both invitations then complete with Success, and the
  caller's invitation names the callee as the participant who accepted.

  Background:
    Given the caller and the callee are ready for messaging
    And the caller has started messaging the callee
    And the callee has received the invitation

  @req:ACC-1 @must
  Scenario: accept answers 204 No Content
    When the callee accepts the invitation
    Then the request succeeds with 204 No Content

  @req:ACC-1 @must @via-needs:taa-callee
  Scenario: A TAA callee's accept with mediaHost Remote answers 204 No Content
    When the callee accepts the invitation with mediaHost "Remote"
    Then the request succeeds with 204 No Content

  @req:ACC-2 @must
  Scenario: After accept both invitations complete with Success and are Connected
    When the callee accepts the invitation
    Then both invitations complete with status "Success"
    And both invitations read back in state "Connected"

  @req:MI-14 @must
  Scenario: The accepted outgoing invitation names the callee as acceptedByParticipant
    When the callee accepts the invitation
    Then the caller's completed invitation names the callee as acceptedByParticipant
