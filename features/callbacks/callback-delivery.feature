@area:callbacks
Feature: How callbacks are delivered
  PROFILE.md §15.6 (CB-10, CB-11, CB-12): callbacks about one conversation are sent one at a time, each after the
  answer to the one before; empty batches (a heartbeat, a reachability check of a conversation URL), when they come,
  are well-formed and signed; and any 2xx answer counts as delivered.

  @req:CB-10 @must @via-needs:taa-caller
  Scenario: No callback about a conversation is sent while the answer to its started callback is held
    Given the caller and the callee are ready for messaging
    And the receiver holds its answer to the next started callback at a fresh conversation URL for 2 seconds
    And the caller has started messaging the callee with that conversation callbackUrl
    When the caller cancels its invitation while the answer to its started callback is held
    Then no callback about that conversation arrived before the held answer was given
    And the caller's channel carries one started and then one completed for that invitation

  @req:CB-12 @must @via-needs:taa-callee
  Scenario: Callbacks answered 204 without a body are delivered as with 200
    Given the caller and the callee are ready for messaging
    And the receiver answers every callback at the callee's default callback URL with 204 and no body
    And the caller has started messaging the callee
    And the callee has received the invitation
    And the callee has accepted the invitation
    Then both invitations complete with status "Success" while the callee's callbacks are answered 204

  @req:CB-11 @may @via-needs:taa-caller
  Scenario: Empty callback batches, when they come, are well-formed, signed and carry no event
    Given the caller and the callee are ready for messaging
    And the caller has started messaging the callee with a fresh conversation callbackUrl
    And the callee has received the invitation
    And the callee has accepted the invitation
    And both invitations have completed
    Then every empty callback of this scenario is a well-formed signed batch without events
