@area:security
Feature: Access control between users
  PROFILE.md §11.1 (SEC-1, SEC-2, SEC-3): one user's token neither reveals nor reaches another user's invitations,
  applications or event channels, and an application's event channel carries only its own resources.

  @req:SEC-1 @must @via-needs:same-transport
  Scenario: Another user's invitation answers exactly like a nonexistent one
    Given the caller and the callee are ready for messaging
    And the caller has started messaging the callee
    When the callee reads the caller's invitation and invitations that do not exist
    Then the answer to the callee has the same status, code and subcode as for a nonexistent invitation

  @req:SEC-2 @must
  Scenario: Each event channel carries only its own application's invitations
    Given the caller and the callee are ready for messaging
    And each declared fixture user listens on an event channel of its own
    And the caller has started messaging the callee
    And the callee has received the invitation
    And the callee has accepted the invitation
    And both invitations have completed
    Then neither channel mentions the other side's invitation
    And no fixture user's channel mentions the caller's or the callee's invitation
    And no callback to a TAA side's callback URLs mentions the other side's invitation

  @req:SEC-3 @must @via-needs:same-transport
  Scenario Outline: The callee's token on the caller's <resource> answers 404
    Given the caller and the callee are ready for messaging
    When the callee requests the caller's <resource> with its own token
    Then the request is refused as for another principal's application
    And the caller's pending event request still delivers its next event

    Examples:
      | resource      |
      | application   |

    @via-needs:ucwa-caller
    Examples:
      | resource      |
      | event channel |
