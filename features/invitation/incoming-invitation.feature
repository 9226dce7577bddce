@area:invitation
Feature: The callee receives the incoming invitation
  PROFILE.md §6 and §9: an invitation to an available user appears on the callee's event channel as an incoming
  invitation that can be accepted or declined and shows the first message.

  Background:
    Given the caller and the callee are ready for messaging
    And the caller has started messaging the callee

  @req:MI-2 @must
  Scenario: The invitation is Outgoing for the caller and Incoming for the callee
    When the callee receives the invitation
    Then the caller's invitation is "Outgoing" and the callee's is "Incoming"

  @req:MI-12 @must
  Scenario: An unanswered incoming invitation offers accept and decline but not cancel
    When the callee receives the invitation
    Then the callee's invitation offers accept and decline and not cancel

  @req:MI-9 @must
  Scenario: The callee's invitation shows the first message
    When the callee receives the invitation
    Then the callee's invitation carries the first message the caller sent

  @req:MI-13 @must
  Scenario: An incoming invitation offers cancel in no state
    When the callee receives the invitation
    And the callee has accepted the invitation and both invitations have completed
    Then no representation of the callee's invitation offers cancel

  @req:MI-6 @req:MI-5 @req:MI-4 @must
  Scenario: Both sides show the same threadId, subject and importance
    When the callee receives the invitation
    Then both invitations show the threadId, subject and importance the caller sent

  @req:MI-11 @must
  Scenario: The incoming invitation names the caller as from
    When the callee receives the invitation
    Then the callee's invitation names the caller as from
