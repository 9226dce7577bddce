@area:events
Feature: Invitation events on the event channel
  PROFILE.md §8: each side's event channel reports its invitation with exactly one started and one completed
  event, from the communication sender, in the batch shape of the seed's samples.

  Background:
    Given the caller and the callee are ready for messaging
    And the caller has started messaging the callee
    And the callee has received the invitation

  @req:EV-1 @must
  Scenario: Every event batch has the profile's shape
    Given the callee has accepted the invitation
    And both invitations have completed
    Then every event batch on both channels has the profile's shape

  @req:EV-6 @must
  Scenario: Invitation events come from the communication sender and link the invitation
    Given the callee has accepted the invitation
    Then every invitation event on both channels comes from the communication sender and links its invitation

  @req:EV-7 @must
  Scenario: Each side sees exactly one started and one completed, in that order
    Given the callee has accepted the invitation
    And both invitations have completed
    Then each channel carries exactly one started and then one completed for its invitation

  @req:EV-8 @must
  Scenario: The completed events carry status Success and no reason
    Given the callee has accepted the invitation
    And both invitations have completed
    Then both completed events carry status "Success" and no reason

  @req:EV-8 @must
  Scenario: The completed events of a declined invitation carry status Failure and a reason
    Given the callee has declined the invitation and both invitations have completed
    Then both completed events carry status "Failure" and the paired Declined reasons
