@area:accept
Feature: An accepted invitation can be answered only once
  PROFILE.md §7.1 (ACC-3) with §9.1: once accept has returned 204, the callee's invitation no longer offers accept
  or decline, and a further accept or decline on the links remembered from before is refused with 409 (ERR-12).

  Background:
    Given the caller and the callee are ready for messaging
    And the caller has started messaging the callee
    And the callee has received the invitation

  @req:ACC-3 @must
  Scenario: After accept the invitation offers no answer and refuses another
    Given the callee has accepted the invitation
    When the callee reads its answered invitation and answers it again with accept and decline
    Then the callee's invitation read right after the answer offers neither accept nor decline
    And the further accept and decline are each refused with 409 Conflict / None
