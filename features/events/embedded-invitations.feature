@area:events
Feature: Invitations embedded in events
  PROFILE.md §8 (EV-9): an invitation event may embed the invitation as it stands or carry only its link. An
  embedded copy is a valid invitation whose self is the event's link.href, Connecting for started and updated, final
  for completed; for a link-only event the suite reads link.href instead.

  @req:EV-9 @must
  Scenario: Each invitation event embeds a valid copy of its invitation or only links it
    Given the caller and the callee are ready for messaging
    And the caller has started messaging the callee
    And the callee has received the invitation
    And the callee has accepted the invitation
    And both invitations have completed
    Then every invitation event on both channels embeds a valid copy of its invitation or only links it
