@area:invitation
Feature: Links and participants of completed invitations
  PROFILE.md §6 and §9.1: once an invitation has completed, both sides keep self, conversation and messaging;
  neither side offers an answer or cancel any more; the accepted outgoing invitation names the callee, a failed
  one names nobody.

  Background:
    Given the caller and the callee are ready for messaging
    And the caller has started messaging the callee
    And the callee has received the invitation

  @req:MI-10 @must
  Scenario: Completed invitations still link self, conversation and messaging
    Given the callee has accepted the invitation and both invitations have completed
    Then both completed invitations link self, conversation and messaging

  @req:MI-13 @must
  Scenario: A completed outgoing invitation no longer offers cancel
    Given the callee has accepted the invitation and both invitations have completed
    Then the caller's completed invitation does not offer cancel

  @req:MI-12 @must
  Scenario: A completed incoming invitation offers neither accept nor decline
    Given the callee has declined the invitation and both invitations have completed
    Then the callee's completed invitation offers neither accept nor decline

  @req:MI-14 @must
  Scenario: A connecting outgoing invitation names no accepting participant
    Then the caller's invitation names no accepting participant

  @req:MI-14 @must
  Scenario: A declined outgoing invitation names no accepting participant
    Given the callee has declined the invitation and both invitations have completed
    Then the caller's invitation names no accepting participant
