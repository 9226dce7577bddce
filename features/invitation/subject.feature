@area:invitation
Feature: The subject reaches both sides as sent
  PROFILE.md MI-5: the subject is identical on both sides to the value sent, character for character — markup,
  non-ASCII characters and white space kept.

  Background:
    Given the caller and the callee are ready for messaging

  @req:MI-5 @must
  Scenario: A subject with markup and non-ASCII characters is kept character for character
    When the caller starts messaging the callee with subject "<b>R&D \"Q3\"</b> – ünï" and importance "Normal"
    And the callee receives the invitation
    Then both invitations show that subject character for character

  @req:MI-5 @must
  Scenario: A subject with surrounding spaces is kept character for character
    When the caller starts messaging the callee with subject "  spaced out  " and importance "Normal"
    And the callee receives the invitation
    Then both invitations show that subject character for character
