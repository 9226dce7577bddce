@area:startMessaging
Feature: What startMessaging accepts
  PROFILE.md §5: every startMessaging opens a new conversation; `to` may come as a query parameter; only `to` is
  required; values at the length limits (in UTF-16 code units), every importance and both data-URI forms of the
  first message are accepted and shown on both sides; unknown and unavailable targets still get 201.

  Background:
    Given the caller and the callee are ready for messaging

  @req:SM-3 @must
  Scenario: Two invitations to the same callee link different conversations
    When the caller starts messaging the callee twice and cancels both invitations
    Then the two invitations link different conversations

  @req:SM-4 @must
  Scenario: The target may be given as the to query parameter
    When the caller starts messaging the callee with to as a query parameter
    Then the caller's invitation reads back with to equal to the callee's uri

  @req:SM-5 @must
  Scenario: A body holding only to is accepted with the defaults
    When the caller starts messaging the callee with nothing but to
    Then the caller's invitation reads back with the startMessaging defaults

  @req:SM-6 @must
  Scenario Outline: <length> UTF-16 units of <characters> as <member> are accepted and echoed
    When the caller starts messaging the callee with a <member> of <length> UTF-16 units of <characters>
    Then both invitations show the <member> exactly as sent

    Examples:
      | member      | length | characters        |
      | subject     | 250    | "a"               |
      | subject     | 250    | U+1F600           |
      | subject     | 250    | "é"               |
      | operationId | 50     | unique hex digits |
      | threadId    | 250    | unique hex digits |

  @req:SM-7 @must
  Scenario Outline: An importance sent as <sent> reads back as <shown> on both sides
    When the caller starts messaging the callee with the importance member <sent>
    Then both invitations show importance "<shown>"

    Examples:
      | sent        | shown     |
      | "Normal"    | Normal    |
      | "Urgent"    | Urgent    |
      | "Emergency" | Emergency |
      | left out    | Normal    |

  @req:SM-8 @must
  Scenario Outline: A first message sent <form> reaches the callee byte for byte
    When the caller starts messaging the callee with the first message "Hi Bob + ünï ✓" and CR LF sent <form>
    Then the callee's invitation shows a first message with the same bytes

    Examples:
      | form           |
      | percent-encoded |
      | base64          |

  @req:SM-9 @must
  Scenario Outline: startMessaging to <target> is answered 201 Created
    When the caller starts messaging <target>
    Then startMessaging is answered 201 Created with a Location

    Examples:
      | target                                 |
      | an unknown user in the callee's domain |

    @needs:unavailable
    Examples:
      | target               |
      | the unavailable user |
