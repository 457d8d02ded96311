import { describe, expect, it } from "vitest";
import { formFill } from "../../runtime/env/families/form_fill/index.ts";
import { familySuite } from "./family-suite.ts";

familySuite(formFill, {
  invalid: [
    { action: "fill the form", says: "Actions look like: type [field] [text]" },
    { action: "type [shoe_size] [42]", says: "there is no field 'shoe_size'" },
    { action: "click [cancel]", says: "click [submit]" },
  ],
});

describe("form_fill specifics", () => {
  const [task] = formFill.tasks({ split: "test", count: 1, seed: 3, options: { form: "login" } });

  it("scores the fraction of fields left as requested", async () => {
    const episode = await formFill.open(task);
    await episode.reset();
    await episode.step("type [username] [wrong]");
    await episode.step("check [remember]");
    await episode.step("check [remember]");
    const submitted = await episode.step("click [submit]");
    expect(submitted.done).toBe(true);
    // username wrong, password empty (requested), remember unticked: at most one of three right.
    expect(submitted.reward).toBeLessThanOrEqual(1 / 3);
    expect(submitted.info.success).toBe(false);
  });

  it("refuses the wrong verb for a field, naming the right one", async () => {
    const episode = await formFill.open(task);
    await episode.reset();
    const wrong = await episode.step("check [username]");
    expect(wrong.info.valid).toBe(false);
    expect(wrong.observation).toContain("use type [username] [...]");
  });
});
