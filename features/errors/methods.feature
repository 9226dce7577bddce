@area:errors
Feature: Unsupported methods answer 405 with Allow
  PROFILE.md §10, ERR-14: the invitation answers GET only and its action links (accept, decline, cancel) and
  startMessaging answer POST only; other methods get 405 MethodNotAllowed with an Allow header and have no effect.

  Rule: ERR-14 — 405 MethodNotAllowed with Allow, and no effect

    @req:ERR-14 @must
    Scenario Outline: <method> on an invitation gets 405 and the invitation survives
      Given both sides hold a connecting invitation
      When the caller tries the method <method> on its invitation
      Then the request is refused with 405 MethodNotAllowed allowing GET
      And both invitations keep their state and links

      Examples:
        | method |
        | PUT    |
        | DELETE |

    @req:ERR-14 @must
    Scenario Outline: <method> on the callee's <link> link gets 405 without effect
      Given both sides hold a connecting invitation
      When the callee tries the method <method> on its <link> link
      Then the request is refused with 405 MethodNotAllowed allowing POST
      And both invitations keep their state and links

      Examples:
        | method | link    |
        | GET    | accept  |
        | PUT    | accept  |
        | DELETE | accept  |
        | GET    | decline |
        | PUT    | decline |
        | DELETE | decline |

    @req:ERR-14 @must
    Scenario Outline: <method> on the caller's <link> link gets 405 without effect
      Given both sides hold a connecting invitation
      When the caller tries the method <method> on its <link> link
      Then the request is refused with 405 MethodNotAllowed allowing POST
      And both invitations keep their state and links

      Examples:
        | method | link           |
        | GET    | cancel         |
        | PUT    | cancel         |
        | DELETE | cancel         |
        | GET    | startMessaging |
        | PUT    | startMessaging |
        | DELETE | startMessaging |
