@area:errors
Feature: Unsupported media types are refused
  PROFILE.md §10, ERR-5: a request body labelled text/plain on startMessaging, decline and addMessaging, and a GET on
  an invitation that accepts only image/png, are refused with 410 Gone/None, or with 415 UnsupportedMediaType when
  the target declares unsupportedContentTypeStatus 415.

  Rule: ERR-5 — 410 Gone/None, or 415 when declared

    @req:ERR-5 @must
    Scenario: startMessaging labelled text/plain is refused as an unsupported media type
      Given the caller is ready to start messaging
      When the caller tries to start messaging the callee with a text/plain body
      Then the request is refused as an unsupported media type

    @req:ERR-5 @must
    Scenario: decline labelled text/plain is refused as an unsupported media type
      Given both sides hold a connecting invitation
      When the callee tries to decline the invitation with a text/plain body
      Then the request is refused as an unsupported media type

    @req:ERR-5 @must @cap:addMessaging
    Scenario: addMessaging labelled text/plain is refused as an unsupported media type
      Given the caller has stopped messaging in an accepted conversation
      When the caller tries to add messaging with a text/plain body
      Then the request is refused as an unsupported media type

    @req:ERR-5 @must
    Scenario: Reading an invitation accepting only image/png is refused
      Given the caller and the callee are ready for messaging
      And the caller has started messaging the callee
      When the caller tries to read its invitation accepting only image/png
      Then the request is refused as an unsupported media type
