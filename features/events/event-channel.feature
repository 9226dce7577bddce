@area:events
Feature: The event channel
  PROFILE.md §8 (EV-2, EV-4, EV-5): the pending-GET long poll of an application. The client follows the
  continuation href of each batch unchanged and sees each event once and in order; a second pending GET on the same
  href replaces the first; the channel of a deleted application is gone.

  @req:EV-2 @must
  Scenario: Following each continuation href delivers every event once and in order
    Given the caller and the callee are ready for messaging
    And the caller has started messaging the callee
    And the callee has received the invitation
    And the callee has accepted the invitation
    And both invitations have completed
    Then each channel requested exactly the continuation href of its previous batch
    And each channel delivered the started and the completed of its invitation once, in that order

  @req:EV-4 @must @via-needs:ucwa-caller
  Scenario: A second event request on the same href replaces the first
    Given the caller and the callee are ready for messaging
    And the caller has a throw-away application
    When the caller parks two event requests on the same href of that application
    Then the first event request is refused with 409 Conflict / PGetReplaced
    When the caller starts messaging the callee from that application
    Then the second event request delivers that invitation's started event

  @req:EV-5 @must
  Scenario: The event channel of a deleted application answers 404 ApplicationNotFound
    Given the caller has a throw-away application
    And the caller has deleted its throw-away application
    When the caller requests the deleted application's events
    Then the request is refused with 404 NotFound / ApplicationNotFound
