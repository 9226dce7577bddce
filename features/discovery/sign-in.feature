@area:discovery
Feature: Discovery, sign-in and the application
  PROFILE.md §3 and §4: from the discovery URL alone a client finds the user resource, is challenged with
  MsRtcOAuth, obtains a bearer token with the password grant, and creates an application whose links lead to
  the event channel, makeMeAvailable and startMessaging.

  @req:DISC-1 @must
  Scenario: The discovery document leads to the user resource
    When the caller fetches the discovery document
    Then the discovery document links to the user resource within 3 redirects

  @req:DISC-2 @must
  Scenario: An anonymous request for the user resource meets an MsRtcOAuth challenge
    Given the caller has found the user resource
    When the caller requests the user resource without credentials
    Then the answer is a 401 MsRtcOAuth challenge naming the token endpoint and the password grant

  @req:AUTH-1 @must @needs:caller-password
  Scenario: The password grant issues a bearer token
    Given the caller has been challenged for credentials
    When the caller signs in with the password grant
    Then a bearer token is issued with a positive lifetime

  @req:DISC-3 @must
  Scenario: The signed-in user resource links to the applications
    Given the caller holds a bearer token
    When the caller requests the user resource with the token
    Then the user resource links to the applications

  @req:APP-1 @must
  Scenario: A new application links its event channel, makeMeAvailable and startMessaging
    Given the caller has signed in
    When the caller creates an application
    Then the application is created with its event channel, me and communication

  @req:APP-4 @must @via-needs:ucwa-callee
  Scenario: The callee makes itself available for messaging
    Given the callee has signed in and created an application
    When the callee makes itself available for messaging
    Then the request succeeds with 204 No Content
