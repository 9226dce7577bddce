@area:addMessaging @cap:addMessaging
Feature: Adding messaging to an existing conversation
  PROFILE.md §7.4 (optional capability addMessaging): after an accepted invitation the caller stops messaging in the
  conversation, which stays and offers addMessaging; addMessaging creates a new outgoing invitation in that
  conversation, which reaches the callee as a new incoming invitation; a duplicate or invalid addMessaging is refused.

  Background:
    Given the caller and the callee are ready for messaging
    And the caller has started messaging the callee
    And the callee has received the invitation
    And the callee has accepted the invitation
    And both invitations have completed

  @req:ADD-1 @must
  Scenario: stopMessaging keeps the conversation and offers addMessaging
    When the caller stops messaging in the invitation's conversation
    Then the request succeeds with 204 No Content
    And the conversation stays and its messaging is Disconnected and offers addMessaging within 2 s

  @req:ADD-2 @must
  Scenario: addMessaging creates a new outgoing invitation in the same conversation
    Given the caller has stopped messaging and is offered addMessaging
    When the caller adds messaging with a first message
    Then a new outgoing invitation to the callee is created in the same conversation
    And the new invitation is reported on the caller's channel like a startMessaging invitation

  @req:ADD-3 @must
  Scenario: The callee gets the added messaging as a new invitation that accept completes
    Given the caller has stopped messaging and is offered addMessaging
    And the caller has added messaging with a first message
    When the callee receives the added invitation and accepts it
    Then the callee's added invitation arrived Incoming with accept, decline and the caller as from
    And each side's invitation completes with Success

  @req:ADD-4 @must
  Scenario Outline: addMessaging refuses <case>
    Given the caller has stopped messaging and is offered addMessaging
    When the caller <request>
    Then the request is refused with <refusal>

    Examples:
      | case                                   | request                                             | refusal                                                          |
      | a second addMessaging while Connecting | adds messaging twice on the same link               | 409 Conflict / AlreadyExists                                     |
      | an operationId of 51 characters        | adds messaging with an operationId of 51 characters | 400 BadRequest / ParameterValidationFailure naming "operationId" |
