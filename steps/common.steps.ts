import { Then } from '@cucumber/cucumber';
import { checkRefusal, errorCodeFor } from './support/checks';
import type { ConformanceWorld } from './support/world';

/** A feature file whose status and code disagree is a suite defect, not a target failure. */
function codeOf(status: number, code: string): void {
  if (errorCodeFor(status) !== code) throw new Error(`suite defect: status ${status} goes with code ${errorCodeFor(status)}, the feature says ${code}`);
}

Then('the request is refused with {int} {word}', function (this: ConformanceWorld, status: number, code: string) {
  codeOf(status, code);
  checkRefusal(this, this.req, this.last!, status);
});

Then('the request is refused with {int} {word} \\/ {word}', function (this: ConformanceWorld, status: number, code: string, subcode: string) {
  codeOf(status, code);
  checkRefusal(this, this.req, this.last!, status, subcode);
});

Then('the request is refused with {int} {word} \\/ {word} naming {string}', function (this: ConformanceWorld, status: number, code: string, subcode: string, member: string) {
  codeOf(status, code);
  checkRefusal(this, this.req, this.last!, status, subcode, member);
});

Then('the request is refused as an unsupported media type', function (this: ConformanceWorld) {
  const status = this.target.unsupportedContentTypeStatus;
  checkRefusal(this, this.req, this.last!, status, 'None');
});
