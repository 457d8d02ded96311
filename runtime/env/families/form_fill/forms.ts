/** MiniWoB-like forms: templates of fields and the values a task asks to enter. */
import type { Rng } from "../../../util/random.ts";

export interface FormField {
  name: string;
  label: string;
  kind: "text" | "select" | "checkbox";
  options?: string[];
}

export interface FormTemplate {
  title: string;
  submitLabel: string;
  fields: FormField[];
  /** Field name → a value generator (checkboxes always get `true`). */
  values: Record<string, (rng: Rng) => string>;
  /** Fields every task of this form fills; the others are included at random. */
  always: string[];
}

const FIRST = [
  "Kanesha",
  "Mateo",
  "Ingrid",
  "Tariq",
  "Lucia",
  "Bjorn",
  "Amara",
  "Kenji",
  "Nadia",
  "Oscar",
  "Priya",
  "Rafael",
  "Sven",
  "Thandi",
  "Yusuf",
  "Zoe",
];
const LAST = [
  "Alvarez",
  "Brooks",
  "Chen",
  "Dubois",
  "Eze",
  "Fischer",
  "Gomez",
  "Hughes",
  "Ito",
  "Jansen",
  "Khan",
  "Larsen",
  "Moreno",
  "Nakamura",
  "Olsen",
  "Patel",
];
const COUNTRIES = [
  "Canada",
  "Mexico",
  "Brazil",
  "Kenya",
  "India",
  "Japan",
  "Germany",
  "Norway",
  "Australia",
  "Chile",
];
const STATES = [
  "Alaska",
  "Colorado",
  "Georgia",
  "Iowa",
  "Maine",
  "Nevada",
  "Ohio",
  "Oregon",
  "Texas",
  "Utah",
  "Vermont",
];
const STREETS = [
  "Maple St",
  "Oak Ave",
  "Pine Rd",
  "Cedar Ln",
  "Elm Ct",
  "Birch Way",
  "Harbor Blvd",
  "Mill Rd",
];

const word = (rng: Rng, length: number) => {
  const letters = "abcdefghijkmnopqrstuvwxyz";
  return Array.from({ length }, () => letters[rng.int(letters.length)]).join("");
};
const password = (rng: Rng) => {
  const chars = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
  return Array.from({ length: rng.range(5, 8) }, () => chars[rng.int(chars.length)]).join("");
};

export const FORMS: Record<string, FormTemplate> = {
  login: {
    title: "Log in",
    submitLabel: "Log in",
    fields: [
      { name: "username", label: "Username", kind: "text" },
      { name: "password", label: "Password", kind: "text" },
      { name: "remember", label: "Remember me", kind: "checkbox" },
    ],
    values: { username: (rng) => word(rng, rng.range(4, 8)), password },
    always: ["username", "password"],
  },
  signup: {
    title: "Create an account",
    submitLabel: "Sign up",
    fields: [
      { name: "first_name", label: "First name", kind: "text" },
      { name: "last_name", label: "Last name", kind: "text" },
      { name: "email", label: "Email", kind: "text" },
      { name: "country", label: "Country", kind: "select", options: COUNTRIES },
      { name: "newsletter", label: "Send me the newsletter", kind: "checkbox" },
      { name: "terms", label: "I agree to the terms", kind: "checkbox" },
    ],
    values: {
      first_name: (rng) => rng.pick(FIRST),
      last_name: (rng) => rng.pick(LAST),
      email: (rng) => `${word(rng, rng.range(3, 7))}${rng.range(1, 99)}@example.com`,
      country: (rng) => rng.pick(COUNTRIES),
    },
    always: ["first_name", "email", "terms"],
  },
  shipping: {
    title: "Shipping address",
    submitLabel: "Continue",
    fields: [
      { name: "full_name", label: "Full name", kind: "text" },
      { name: "street", label: "Street address", kind: "text" },
      { name: "city", label: "City", kind: "text" },
      { name: "state", label: "State", kind: "select", options: STATES },
      { name: "zip", label: "ZIP code", kind: "text" },
      {
        name: "method",
        label: "Shipping method",
        kind: "select",
        options: ["Standard", "Express", "Overnight"],
      },
      { name: "gift", label: "This is a gift", kind: "checkbox" },
    ],
    values: {
      full_name: (rng) => `${rng.pick(FIRST)} ${rng.pick(LAST)}`,
      street: (rng) => `${rng.range(1, 9999)} ${rng.pick(STREETS)}`,
      city: (rng) =>
        rng.pick(["Springfield", "Riverton", "Fairview", "Greenville", "Madison", "Salem", "Clinton"]),
      state: (rng) => rng.pick(STATES),
      zip: (rng) => String(rng.range(10000, 99999)),
      method: (rng) => rng.pick(["Standard", "Express", "Overnight"]),
    },
    always: ["full_name", "street", "zip"],
  },
  survey: {
    title: "Customer survey",
    submitLabel: "Submit",
    fields: [
      { name: "name", label: "Your name", kind: "text" },
      {
        name: "age",
        label: "Age group",
        kind: "select",
        options: ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"],
      },
      { name: "rating", label: "Overall rating", kind: "select", options: ["1", "2", "3", "4", "5"] },
      { name: "comments", label: "Comments", kind: "text" },
      { name: "contact", label: "You may contact me", kind: "checkbox" },
    ],
    values: {
      name: (rng) => rng.pick(FIRST),
      age: (rng) => rng.pick(["18-24", "25-34", "35-44", "45-54", "55-64", "65+"]),
      rating: (rng) => String(rng.range(1, 5)),
      comments: (rng) =>
        `${rng.pick(["Great", "Slow", "Friendly", "Confusing", "Fast"])} ${rng.pick(["service", "checkout", "delivery", "support", "website"])}`,
    },
    always: ["rating"],
  },
  booking: {
    title: "Book a room",
    submitLabel: "Book",
    fields: [
      { name: "guest_name", label: "Guest name", kind: "text" },
      { name: "arrival", label: "Arrival date (MM/DD/YYYY)", kind: "text" },
      { name: "nights", label: "Nights", kind: "select", options: ["1", "2", "3", "4", "5", "6", "7"] },
      { name: "room", label: "Room type", kind: "select", options: ["Single", "Double", "Twin", "Suite"] },
      { name: "breakfast", label: "Add breakfast", kind: "checkbox" },
      { name: "parking", label: "Add parking", kind: "checkbox" },
    ],
    values: {
      guest_name: (rng) => `${rng.pick(FIRST)} ${rng.pick(LAST)}`,
      arrival: (rng) =>
        `${String(rng.range(1, 12)).padStart(2, "0")}/${String(rng.range(1, 28)).padStart(2, "0")}/2025`,
      nights: (rng) => String(rng.range(1, 7)),
      room: (rng) => rng.pick(["Single", "Double", "Twin", "Suite"]),
    },
    always: ["guest_name", "arrival", "room"],
  },
};
