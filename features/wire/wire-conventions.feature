@area:wire
Feature: Wire conventions
  PROFILE.md §2: JSON bodies labelled application/json, the resource shape, rels spelled for the target's one
  dialect, URLs reached only through links, data URIs that round-trip byte for byte, camelCase request members
  with unknown ones ignored, and enumerated values spelled exactly.

  Rule: Observed over a whole accepted invitation, read on both sides

    Background:
      Given the caller has invited the callee, who accepted, and both sides have read every resource on the way

    @req:WIRE-1 @must
    Scenario: Every response body of a whole exchange is JSON labelled application/json
      Then every non-empty response except 401 is JSON labelled application/json

    @req:WIRE-2 @must
    Scenario: Every application-API resource has rel, _links with self and resource-shaped _embedded
      Then every application-API resource read and every resource embedded in an event has the resource shape

    @req:WIRE-3 @must
    Scenario: Rels are spelled for the target's dialect and discovery rels are bare
      Then every rel of the application API is spelled for the target's dialect
      And the discovery documents link user and applications with bare rels

    @req:WIRE-4 @must
    Scenario: Every URL of a whole exchange is reached from the discovery URL
      Then every request went to the discovery URL or to an href or Location the target had given
      And no followed href was answered 404

    @req:WIRE-7 @must
    Scenario: Enumerated values are spelled exactly as profiled
      Then every direction, state, importance, event type and status is spelled as the profile spells it

  Rule: Media types the target serves

    Background:
      Given the caller and the callee are ready for messaging
      And the caller has started messaging the callee

    @req:WIRE-1 @must
    Scenario Outline: An invitation read with <accept> is served as JSON
      When the caller reads its invitation with <accept>
      Then the invitation is served with 200 as application/json

      Examples:
        | accept                                       |
        | no Accept header                             |
        | Accept */*                                   |
        | Accept application/*                         |
        | Accept application/json                      |
        | Accept application/vnd.microsoft.com.ucwa+json |

    @req:WIRE-1 @must
    Scenario: A startMessaging body labelled application/json with a charset is accepted
      When the caller starts messaging the callee with a body labelled application/json with a charset
      Then startMessaging is answered 201 Created with a Location

  Rule: Request bodies the target accepts

    Background:
      Given the caller and the callee are ready for messaging

    @req:WIRE-5 @must
    Scenario Outline: A data URI in <form> form round-trips byte for byte
      When the caller starts messaging the callee with a first message in <form> form
      Then every data URI the target shows for the first message decodes to the bytes sent

      Examples:
        | form                                       |
        | percent-encoded, + for a space, %2B a plus |
        | base64                                     |

    @req:WIRE-6 @must
    Scenario: Unknown startMessaging members are ignored
      When the caller starts messaging the callee with the unknown members sessionContext and telemetryId
      Then startMessaging is answered 201 Created with a Location
