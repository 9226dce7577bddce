@area:optional
Feature: Optional features of the invitation
  PROFILE.md §11.2: acceptAndBridge, startAdhocMeeting and customContent, checked strictly when the target declares
  them, and the application link or embed, checked wherever an invitation carries it.

  Background:
    Given the caller and the callee are ready for messaging

  Rule: acceptAndBridge accompanies accept, validates onlineMeetingUri and bridges (OPT-1)

    @req:OPT-1 @may @cap:acceptAndBridge
    Scenario: acceptAndBridge is offered exactly when accept is
      Given the caller has started messaging the callee
      And the callee has received the invitation
      And the callee has declined the invitation
      When the callee reads its invitation after answering it
      Then the callee's invitation offers acceptAndBridge exactly when it offers accept

    @req:OPT-1 @may @cap:acceptAndBridge
    Scenario Outline: acceptAndBridge with <case> is refused and leaves the invitation unanswered
      Given the caller has started messaging the callee
      And the callee has received the invitation
      When the callee accepts and bridges the invitation <how>
      Then the request is refused with 400 BadRequest / ParameterValidationFailure naming "onlineMeetingUri"
      And the callee's invitation is still unanswered

      Examples:
        | case                     | how                                    |
        | onlineMeetingUri missing | without an onlineMeetingUri            |
        | onlineMeetingUri not SIP | into "meeting-conformance@example.com" |

    @req:OPT-1 @may @cap:acceptAndBridge @fixture:onlineMeetingUri
    Scenario: acceptAndBridge into the declared meeting completes both invitations with Success
      Given the caller has started messaging the callee
      And the callee has received the invitation
      When the callee accepts and bridges the invitation into the declared meeting
      Then the bridging request succeeds with 200, 201 or 204
      And each side's invitation completes with Success

  Rule: startAdhocMeeting creates an online-meeting invitation (OPT-2)

    @req:OPT-2 @may @cap:startAdhocMeeting
    Scenario: startAdhocMeeting answers 201 and the invitation still completes once
      Given the caller has started messaging the callee
      And the callee has received the invitation
      When the callee starts an ad hoc meeting from the invitation
      Then the online-meeting invitation is created with a Location
      And the messaging invitation still completes exactly once on each side

  Rule: customContent travels unprefixed and byte for byte (OPT-3)

    @req:OPT-3 @may @cap:customContent @via-needs:ucwa-caller
    Scenario: customContent sent with startMessaging shows on both invitations
      When the caller starts messaging the callee with JSON custom content
      And the callee receives the invitation
      Then both invitations show the custom content byte for byte under an unprefixed customContent link

  Rule: an application link or embed names the owning application (OPT-4)

    @req:OPT-4 @may
    Scenario: An application link or embed on an invitation names its application
      Given the caller has started messaging the callee
      When the callee receives the invitation
      Then any application link or embed on either invitation names its owning application
