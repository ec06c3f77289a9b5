import { test } from "node:test";
import assert from "node:assert/strict";
import { native } from "../src/internal/native.js";

test("the native addon builds at install and loads through one module", () => {
  assert.equal(typeof native().version(), "string");
});
