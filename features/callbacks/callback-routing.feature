@area:callbacks
Feature: Where callbacks go
  PROFILE.md §15.6 (CB-3, CB-4, CB-7, CB-8, CB-9): callbacks about an incoming invitation, or a conversation started
  without a callbackUrl, go to the endpoint's default callback URL; those of a conversation started with a
  callbackUrl go to exactly that URL; a callbackContext answered to the started callback, or given to
  startMessaging, comes back as a query parameter on every later callback of that conversation.

  @req:CB-3 @must @via-needs:taa-callee
  Scenario: Callbacks of conversations without a conversation URL go to the default callback URL only
    Given the caller and the callee are ready for messaging
    And the caller has started messaging the callee without a callbackUrl
    When the callee receives the invitation at its default callback URL
    And the callee accepts the invitation
    Then every callback about the TAA sides' invitations arrived at that side's default callback URL and nowhere else

  @req:CB-4 @must @via-needs:taa-caller
  Scenario: Callbacks of a conversation started with a callbackUrl go to exactly that URL
    Given the caller and the callee are ready for messaging
    And the caller has started messaging the callee with a fresh conversation callbackUrl
    And the callee has received the invitation
    And the callee has accepted the invitation
    And both invitations have completed
    Then every callback about the caller's conversation arrived at the conversation URL exactly as given and none at the default URL

  @req:CB-7 @must @via-needs:taa-callee
  Scenario Outline: A context answered as <member> to the started callback comes back on every later callback
    Given the caller and the callee are ready for messaging
    And the receiver answers the callee's next started callback with a fresh context as "<member>"
    And the caller has started messaging the callee
    And the callee has received the invitation
    And the callee has accepted the invitation
    Then every later callback about the callee's conversation, its completed included, carries that callbackContext on the default URL

    Examples:
      | member          |
      | callbackContext |
      | CallbackContext |

  @req:CB-8 @should @via-needs:taa-callee
  Scenario: A context with reserved and non-ASCII characters comes back intact
    Given the caller and the callee are ready for messaging
    And the receiver answers the callee's next started callback with the context '{"job":"a b&c=d/é"}'
    And the caller has started messaging the callee
    And the callee has received the invitation
    And the callee has accepted the invitation
    Then every later callback about the callee's conversation, its completed included, carries that callbackContext on the default URL

  @req:CB-9 @should @via-needs:taa-caller
  Scenario: A callbackContext given to startMessaging comes back on the conversation's callbacks
    Given the caller and the callee are ready for messaging
    When the caller starts messaging the callee with a fresh callbackContext and no callbackUrl
    And the callee receives and declines the invitation
    Then every callback about the caller's conversation carries that callbackContext on the default URL
