@area:invitation
Feature: State, to, operationId and the conversation of an invitation
  PROFILE.md §6: an invitation is Connecting until it completes, then Connected or Failed for good; `to` and
  `operationId` show what the caller sent; its conversation and messaging links lead to their resources.

  Background:
    Given the caller and the callee are ready for messaging
    And the caller has started messaging the callee
    And the callee has received the invitation

  @req:MI-3 @must
  Scenario Outline: State is Connecting until the <answer>, then <final> for good
    When both invitations are read before any answer
    And the callee answers the invitation with "<answer>"
    And both invitations have completed
    Then both invitations read Connecting before completion and "<final>" twice after it
    And no representation of either invitation shows a state other than Connecting, Connected or Failed

    Examples:
      | answer  | final     |
      | accept  | Connected |
      | decline | Failed    |

  @req:MI-7 @must
  Scenario: The outgoing to is the target sent; an incoming to is the callee's uri
    When both invitations are read before any answer
    Then the caller's invitation names the callee as to and the callee's names the callee or nothing

  @req:MI-8 @must
  Scenario: The outgoing operationId is exactly the one sent in every representation
    When both invitations are read before any answer
    And the callee answers the invitation with "accept"
    And both invitations have completed
    And both invitations are read after completion
    Then every representation of the caller's invitation shows the operationId sent
    And no representation of the callee's invitation has an operationId longer than 50 UTF-16 units

  @req:MI-15 @must
  Scenario: Conversation and messaging resolve while Connecting and once Connected
    When both sides read the conversation and messaging of their invitation
    And the callee answers the invitation with "accept"
    And both invitations have completed
    And both sides read the conversation and messaging of their invitation
    Then every conversation read is answered 200 with the conversation rel
    And every messaging read is answered 200 with the messaging rel and a state
