@area:taa-application
Feature: Applications addressed by endpointId
  PROFILE.md §15.4: the applications resource, given an endpoint's SIP URI as endpointId, links that endpoint's
  application, which embeds the communication resource with startMessaging; an endpointId naming no endpoint, or an
  endpoint of another application, is refused with ApplicationNotFound; an endpoint receives invitations without any
  set-up request.

  @req:TAPP-1 @must @via-needs:taa-caller
  Scenario: The applications resource links each TAA account's application
    When each TAA account reads the applications resource with its own endpointId
    Then every applications resource links an application

  @req:TAPP-2 @must @via-needs:taa-caller
  Scenario: Each TAA account's application embeds communication with startMessaging
    When each TAA account reads its application and the communication resource it embeds
    Then every application embeds a communication resource that links startMessaging and reads back

  @req:TAPP-3 @must @via-needs:taa-caller
  Scenario: An endpointId naming no endpoint is refused with ApplicationNotFound
    When the caller reads the applications resource with an endpointId that names no endpoint
    Then the request is refused with 403 or 404 and subcode ApplicationNotFound, and links no application

  @req:TAPP-4 @should @via-needs:taa-caller
  Scenario: An endpointId naming no endpoint is refused with 403
    When the caller reads the applications resource with an endpointId that names no endpoint
    Then the refusal has status 403

  @req:TAPP-5 @must @via-needs:taa-caller @needs:two-taa-applications
  Scenario: Another application's endpoint, application and invitation are out of reach and untouched
    Given the caller and the callee are ready for messaging
    And the caller has started messaging the callee
    When an endpoint of another application asks for the caller's application, reads its invitation and cancels it
    Then every one of those requests is refused with 403 or 404 and subcode ApplicationNotFound or None
    And the caller's invitation still reads back as Connecting

  @req:TAPP-6 @must @via-needs:taa-callee
  Scenario: A TAA callee receives an invitation before it has sent any request
    Given the caller and the callee are ready for messaging
    When the caller starts messaging the callee
    Then the callee's started callback arrives at its default callback URL before the callee sends any request
