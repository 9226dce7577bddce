@area:errors
Feature: Requests the state forbids answer 409 Conflict
  PROFILE.md §10, ERR-9, ERR-10, ERR-12 and ERR-15: an operationId in use by a connecting invitation of the same
  application, addMessaging while messaging is in progress, and accept, decline or cancel after the invitation was
  answered or completed are refused with 409; an operationId is free again after completion and for another
  application.

  @req:ERR-9 @must
  Scenario: The operationId of a connecting invitation cannot be reused
    Given the caller and the callee are ready for messaging
    And the caller has started messaging the callee
    When the caller tries to start messaging the callee again with the same operationId
    Then the request is refused with 409 Conflict / AlreadyExists
    And the caller's first invitation is still Connecting and can be cancelled

  Rule: ERR-10 — addMessaging while messaging is Connecting or Connected

    @req:ERR-10 @must @cap:addMessaging
    Scenario: A second addMessaging while messaging is Connecting gets 409
      Given the caller has stopped messaging in an accepted conversation
      And the caller has added messaging to the stopped conversation
      When the caller tries to add messaging again
      Then the request is refused with 409 Conflict / AlreadyExists

    @req:ERR-10 @must @cap:addMessaging
    Scenario: addMessaging while messaging is Connected again gets 409
      Given the caller has stopped messaging in an accepted conversation
      And the caller has added messaging to the stopped conversation and the callee has accepted
      When the caller tries to add messaging again
      Then the request is refused with 409 Conflict / AlreadyExists

  Rule: ERR-12 — accept, decline or cancel that the state forbids

    @req:ERR-12 @must
    Scenario: A second accept gets 409
      Given both sides hold a connecting invitation
      And the callee has accepted the invitation
      When the callee tries to accept the invitation
      Then the request is refused with 409 Conflict / None

    @req:ERR-12 @must
    Scenario: A decline after accept gets 409
      Given both sides hold a connecting invitation
      And the callee has accepted the invitation
      When the callee tries to decline the invitation
      Then the request is refused with 409 Conflict / None

    @req:ERR-12 @must
    Scenario: An accept after the caller cancelled gets 409
      Given both sides hold a connecting invitation
      And the caller has cancelled the invitation and the callee's invitation has completed
      When the callee tries to accept the invitation
      Then the request is refused with 409 Conflict / None

    @req:ERR-12 @must
    Scenario: A decline after the caller cancelled gets 409
      Given both sides hold a connecting invitation
      And the caller has cancelled the invitation and the callee's invitation has completed
      When the callee tries to decline the invitation
      Then the request is refused with 409 Conflict / None

    @req:ERR-12 @must @slow
    Scenario: An accept after the no-answer timeout gets 409
      Given both sides hold a connecting invitation
      And the invitation has gone unanswered until both sides timed out
      When the callee tries to accept the invitation
      Then the request is refused with 409 Conflict / None

    @req:ERR-12 @must
    Scenario: A cancel after completion gets 409
      Given both sides hold a connecting invitation
      And the callee has accepted the invitation and both invitations have completed
      When the caller tries to cancel the invitation
      Then the request is refused with 409 Conflict / None

  Rule: ERR-15 — an operationId is refused only while its invitation is Connecting

    @req:ERR-15 @must
    Scenario: An operationId is reused after its invitation completed
      Given both sides hold a connecting invitation
      And the callee has declined the invitation and both invitations have completed
      When the caller tries to start messaging the callee again with the same operationId
      Then the reused operationId is accepted with 201 Created

    @req:ERR-15 @must
    Scenario: Another application uses an operationId that is in progress
      Given both sides hold a connecting invitation
      When the callee's application starts messaging with the operationId of the caller's invitation
      Then the reused operationId is accepted with 201 Created
