@area:errors
Feature: Request bodies that are not a JSON object of the right types
  PROFILE.md §10, ERR-2 and ERR-17: a body that is not well-formed JSON, or JSON that is not an object, is refused
  with 400 BadRequest/None on startMessaging, decline and addMessaging; a member of the wrong JSON type is refused
  with 400 BadRequest, subcode None or ParameterValidationFailure.

  Rule: ERR-2 — malformed or non-object JSON gets 400 BadRequest/None

    @req:ERR-2 @must
    Scenario Outline: startMessaging with a <fault> body is refused with 400
      Given the caller is ready to start messaging
      When the caller tries to start messaging the callee with a <fault> body
      Then the request is refused with 400 BadRequest / None

      Examples:
        | fault          |
        | malformed JSON |
        | JSON array     |

    @req:ERR-2 @must
    Scenario Outline: decline with a <fault> body is refused with 400
      Given both sides hold a connecting invitation
      When the callee tries to decline the invitation with a <fault> body
      Then the request is refused with 400 BadRequest / None

      Examples:
        | fault          |
        | malformed JSON |
        | JSON array     |

    @req:ERR-2 @must @cap:addMessaging
    Scenario Outline: addMessaging with a <fault> body is refused with 400
      Given the caller has stopped messaging in an accepted conversation
      When the caller tries to add messaging with a <fault> body
      Then the request is refused with 400 BadRequest / None

      Examples:
        | fault          |
        | malformed JSON |
        | JSON array     |

  Rule: ERR-17 — a member of the wrong JSON type gets 400 BadRequest

    @req:ERR-17 @must
    Scenario Outline: startMessaging with <input> is refused with 400
      Given the caller is ready to start messaging
      When the caller tries to start messaging the callee with <input>
      Then the request is refused with 400 BadRequest, subcode None or ParameterValidationFailure

      Examples:
        | input                      |
        | a subject that is a number |
        | a to that is an array      |
