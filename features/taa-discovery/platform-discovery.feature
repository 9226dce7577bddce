@area:taa-discovery
Feature: Platform discovery for trusted application endpoints
  PROFILE.md §15.2: with a token of a TAA account the platform discovery document links the applications resource
  (the prefixed rel), has a self link and the discover rel; any TAA request may be redirected with 307 or 308 and
  answers at its final URL as it would have at the first.

  @req:TDISC-1 @must @via-needs:taa-caller
  Scenario: The discovery document read with each TAA account's token links the applications resource
    When each TAA account reads the platform discovery document with its token
    Then every discovery document links the applications resource

  @req:TDISC-2 @should @via-needs:taa-caller
  Scenario: The discovery document has a self link and the discover rel
    When each TAA account reads the platform discovery document with its token
    Then every discovery document has a self link and the discover rel

  @req:TDISC-3 @may @via-needs:taa-caller
  Scenario: Redirected TAA requests are answered at their final URL within three hops
    Given the caller and the callee are ready for messaging
    And the caller has started messaging the callee
    And the callee has received the invitation
    When the caller cancels its invitation
    Then every redirect a TAA request met was a 307 or 308 with a Location, at most three in a row
