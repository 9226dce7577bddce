@area:errors
Feature: Every refusal carries a JSON error body naming its status
  PROFILE.md §10, ERR-1: every 4xx and 5xx response except 401 has an application/json body
  {code, subcode?, message?, parameters?, debugInfo?} whose code names the status. One refusal of each status the
  profile lists that the target can produce; 500 needs the invalidExchangeServerVersion fixture.

  @req:ERR-1 @must
  Scenario Outline: The <refusal> refusal carries a JSON error body naming its status
    Given the caller and the callee are ready for messaging
    And the caller has started messaging the callee
    When <request>
    Then the <refusal> refusal carries a JSON error body whose code names its status

    Examples:
      | refusal                | request                                                                      |
      | 400                    | the caller tries to start messaging the callee with a malformed JSON body    |
      | 404                    | the caller tries to read the probe URL of its invitation                     |
      | 405                    | the caller tries the method PUT on its invitation                            |
      | 409                    | the caller tries to start messaging the callee again with the same operationId |
      | unsupported-media-type | the caller tries to start messaging the callee with a text/plain body        |

    @fixture:invalidExchangeServerVersion
    Examples: with the fixture account
      | refusal | request                                                                        |
      | 500     | the invalidExchangeServerVersion fixture user tries to start messaging the callee |
