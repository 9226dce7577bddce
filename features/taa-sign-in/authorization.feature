@area:taa-sign-in
Feature: Bearer-token authorization on TAA URLs
  PROFILE.md §15.3 (TAUTH-1…TAUTH-4): every TAA request below discovery without a token the platform accepts —
  none, an invalid one, a forged JWS, or a token of the other transport — is answered 401 with a challenge before
  anything else about it is checked, and changes nothing.

  @req:TAUTH-1 @must @via-needs:taa-caller
  Scenario Outline: The applications, the invitation and its cancel with <credentials> get 401 and change nothing
    Given the caller and the callee are ready for messaging
    And the caller has started messaging the callee
    When the caller reads its applications, reads its invitation and cancels it with <credentials>
    Then every one of those requests is answered 401 with a WWW-Authenticate header
    And the caller's invitation still reads back as Connecting

    Examples:
      | credentials             |
      | no Authorization header |
      | an invalid bearer token |
      | a forged token          |

  @req:TAUTH-2 @should @via-needs:taa-caller
  Scenario: The 401 answers on TAA URLs challenge with the Bearer scheme
    Given the caller and the callee are ready for messaging
    And the caller has started messaging the callee
    When the caller reads its applications, reads its invitation and cancels it with each kind of bad credentials
    Then every 401 answer carries a challenge of scheme Bearer

  @req:TAUTH-3 @must @via-needs:taa-caller
  Scenario Outline: <request> without a token gets 401 before any other check
    Given the caller and the callee are ready for messaging
    And the caller has started messaging the callee
    When the caller sends <request> without a token
    Then the unauthenticated request is answered 401

    Examples:
      | request                                        |
      | an applications GET with an unknown endpointId |
      | a GET on the probe URL of its invitation       |
      | a PUT on its invitation                        |
      | a startMessaging with a text/plain body        |

  @req:TAUTH-4 @must @via-needs:ucwa-and-taa
  Scenario: A token of one transport gets 401 on the other transport's invitation and changes nothing
    Given the caller and the callee are ready for messaging
    And the caller has started messaging the callee
    And the callee has received the invitation
    When each side reads and answers the other side's invitation with its own token
    Then every one of those requests is answered 401 with a WWW-Authenticate header
    And both invitations still read back as Connecting
