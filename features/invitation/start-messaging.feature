@area:startMessaging
Feature: startMessaging creates an outgoing messaging invitation
  PROFILE.md §5 and §6: the caller's startMessaging creates a new outgoing invitation, which reads back with the
  values sent and the links its state allows.

  Background:
    Given the caller and the callee are ready for messaging

  @req:SM-1 @must
  Scenario: startMessaging answers 201 Created with the invitation's Location
    When the caller starts messaging the callee
    Then the invitation is created with a Location

  @req:SM-2 @must
  Scenario: The new invitation reads back as Outgoing and Connecting with the values sent
    When the caller starts messaging the callee with subject "<b>R&D \"Q3\"</b> – ünï" and importance "Urgent"
    Then the caller's invitation reads back as Outgoing and Connecting with the values sent

  @req:MI-1 @must
  Scenario: The invitation URL serves the messagingInvitation resource
    When the caller starts messaging the callee
    Then a GET on the caller's invitation URL returns a messagingInvitation whose self is that URL

  @req:MI-10 @must
  Scenario: A connecting outgoing invitation links its self, conversation and messaging
    When the caller starts messaging the callee
    Then the caller's invitation links self, conversation and messaging

  @req:MI-11 @must
  Scenario: The outgoing invitation links the caller as from
    When the caller starts messaging the callee
    Then the caller's invitation links from

  @req:MI-9 @must
  Scenario: The callee's invitation shows no message when the caller sent none
    When the caller starts messaging the callee without a first message
    And the callee receives the invitation
    Then the callee's invitation carries no message

  @req:MI-13 @must
  Scenario: A connecting outgoing invitation offers cancel
    When the caller starts messaging the callee
    Then the caller's invitation offers cancel

  @req:MI-12 @must
  Scenario: A connecting outgoing invitation offers neither accept nor decline
    When the caller starts messaging the callee
    Then the caller's invitation offers neither accept nor decline
