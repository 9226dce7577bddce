@area:taa-startMessaging
Feature: TAA-only startMessaging inputs
  PROFILE.md §15.5: a TAA caller may give a conversation callback URL of up to 1024 code units, is refused a
  malformed or unreachable one, may send its input as a multipart/related body, and, where the target declares it,
  may invite under another local identity.

  @req:TSM-1 @must @via-needs:taa-caller
  Scenario Outline: A callbackUrl that is <what> is accepted
    Given the caller and the callee are ready for messaging
    When the caller starts messaging the callee with a callbackUrl that is <what>
    Then startMessaging is answered 201 Created with a Location

    Examples:
      | what                                         |
      | a fresh conversation URL                     |
      | a conversation URL padded to 1024 code units |

  @req:TSM-2 @must @via-needs:taa-caller
  Scenario Outline: A callbackUrl <case> is refused naming callbackUrl, and starts nothing
    Given the caller and the callee are ready for messaging
    When the caller starts messaging the callee with the callbackUrl <case>
    Then the request is refused with 400 BadRequest / ParameterValidationFailure naming "callbackUrl"
    And no invitation with that threadId reaches either side within 2 seconds

    Examples:
      | case                               |
      | (a) of 1025 code units             |
      | (b) that is relative               |
      | (c) with the ftp scheme            |
      | (d) that is not a URL              |

    @needs:https-only-callbacks
    Examples:
      | case                               |
      | (e) with the http scheme           |

  @req:TSM-3 @should @via-needs:taa-caller
  Scenario: An unreachable callbackUrl is refused with CallbackUriUnreachable
    Given the caller and the callee are ready for messaging
    When the caller starts messaging the callee with the unreachable callbackUrl
    Then the request is refused with 400 BadRequest / CallbackUriUnreachable

  @req:TSM-4 @should @via-needs:taa-caller
  Scenario: A multipart/related body whose one part is JSON is read as that JSON
    Given the caller and the callee are ready for messaging
    When the caller starts messaging the callee with a multipart/related body holding the JSON input
    Then startMessaging is answered 201 Created with a Location

  @req:TSM-5 @may @via-needs:taa-caller @cap:startMessagingWithIdentity
  Scenario: startMessagingWithIdentity invites under the local user's URI and display name
    Given the caller and the callee are ready for messaging
    When the caller starts messaging the callee with a local user identity
    Then startMessaging is answered 201 Created with a Location
    And the callee's invitation names the local user as from

  @req:TSM-5 @may @via-needs:taa-caller @cap:startMessagingWithIdentity
  Scenario Outline: startMessagingWithIdentity with <fault> is refused naming <member>
    Given the caller and the callee are ready for messaging
    When the caller starts messaging the callee with a local user identity and <fault>
    Then the request is refused with 400 BadRequest / ParameterValidationFailure naming "<member>"

    Examples:
      | fault                         | member       |
      | no operationId                | operationId  |
      | a localUserUri that is no SIP URI | localUserUri |
