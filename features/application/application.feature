@area:application
Feature: The application resource
  PROFILE.md §4: the application names the signed-in user, reads back from its self link, refuses a creation
  request that lacks a required member, and can be deleted, which retires its event channel.

  @req:APP-2 @should
  Scenario: The application's me resource carries the signed-in user's uri
    Given the caller has signed in
    When the caller creates an application
    Then the application's me resource names the caller's uri

  @req:APP-3 @must
  Scenario: The application reads back from its self link
    Given the caller has signed in and created an application
    When the caller reads its application
    Then the application reads back with 200 and the application rel

  @req:APP-5 @should
  Scenario: Creating an application without a culture is refused
    Given the caller has signed in
    When the caller creates an application without a culture
    Then the request is refused with 400 BadRequest / ParameterValidationFailure naming "culture"

  @req:APP-6 @must
  Scenario: Deleting an application answers 204 and retires its event channel
    Given the caller has signed in and created an application
    When the caller deletes its application
    Then the request succeeds with 204 No Content
    And the deleted application's event channel answers 404 NotFound / ApplicationNotFound
