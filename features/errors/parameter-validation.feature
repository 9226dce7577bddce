@area:errors
Feature: Invalid parameters are refused naming the member
  PROFILE.md §10, ERR-3, ERR-4 and ERR-18: values beyond the limits, a missing or non-SIP to, an unknown importance
  or decline reason, and a message that is not a data URI are refused with 400 BadRequest/ParameterValidationFailure
  whose parameters name the offending member.

  Rule: ERR-3 — invalid startMessaging and addMessaging parameters

    @req:ERR-3 @must
    Scenario Outline: (<case>) startMessaging with <input> is refused naming <member>
      Given the caller is ready to start messaging
      When the caller tries to start messaging the callee with <input>
      Then the request is refused with 400 BadRequest / ParameterValidationFailure naming "<member>"

      Examples:
        | case | input                           | member      |
        | a    | a subject of 251 × "a"          | subject     |
        | b    | a subject of 126 × U+1F600      | subject     |
        | c    | an operationId of 51 characters | operationId |
        | d    | a threadId of 251 characters    | threadId    |
        | e    | no to in the body or the query  | to          |
        | f    | a to without the sip: scheme    | to          |
        | g    | importance "Critical"           | importance  |

    @req:ERR-3 @must @cap:addMessaging
    Scenario: addMessaging with an operationId of 51 characters is refused
      Given the caller has stopped messaging in an accepted conversation
      When the caller tries to add messaging with an operationId of 51 characters
      Then the request is refused with 400 BadRequest / ParameterValidationFailure naming "operationId"

  Rule: ERR-4 — an unknown decline reason

    @req:ERR-4 @must
    Scenario: An unknown decline reason is refused and the invitation stays pending
      Given both sides hold a connecting invitation
      When the callee tries to decline the invitation with reason "Sideways"
      Then the request is refused with 400 BadRequest / ParameterValidationFailure naming "reason"
      And both invitations keep their state and links
      And a decline with a listed reason is then accepted

  Rule: ERR-18 — a first message that is not a data URI

    @req:ERR-18 @should
    Scenario: A message href that is not a data URI is refused naming message
      Given the caller is ready to start messaging
      When the caller tries to start messaging the callee with a message href that is not a data URI
      Then the request is refused with 400 BadRequest / ParameterValidationFailure naming "message"
