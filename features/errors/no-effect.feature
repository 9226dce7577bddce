@area:errors
Feature: A refused request changes nothing
  PROFILE.md §10, ERR-16: after refused startMessaging requests no started event with their threadIds appears on
  the caller's or the callee's channel within 2 s; after refused accept, decline and cancel requests both
  invitations keep their state and links.

  Rule: ERR-16 — refused requests leave no trace

    @req:ERR-16 @must
    Scenario: Refused startMessaging requests start no invitation
      Given the caller and the callee are ready for messaging
      When the caller tries several startMessaging requests that are refused
      Then no started event for their threadIds appears on either channel within 2 seconds

    @req:ERR-16 @must
    Scenario: Refused accept, decline and cancel requests leave both invitations unchanged
      Given both sides hold a connecting invitation
      When the caller and the callee try accept, decline and cancel requests that are refused
      Then both invitations keep their state and links
