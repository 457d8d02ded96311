/** The function_call family's tools (JSON schemas) and the request templates that call them. */
import type { Rng } from "../../../util/random.ts";
import type { ToolSpec } from "../../types.ts";

type Schema = {
  type: string;
  description: string;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  default?: unknown;
};
type Args = Record<string, string | number | boolean>;

const tool = (
  name: string,
  description: string,
  properties: Record<string, Schema>,
  required: string[],
): ToolSpec => ({
  name,
  description,
  parameters: { type: "object", properties, required, additionalProperties: false },
});

const CURRENCIES = ["USD", "EUR", "GBP", "JPY", "CAD", "AUD", "CHF", "INR"];
const CUISINES = ["italian", "mexican", "japanese", "indian", "thai", "french", "vegan"];
const LANGUAGES = ["spanish", "french", "german", "japanese", "italian", "portuguese", "korean"];

export const FUNCTION_TOOLS: ToolSpec[] = [
  tool(
    "get_weather",
    "Get the current weather for a city.",
    {
      city: { type: "string", description: "City name, e.g. Paris" },
      unit: {
        type: "string",
        description: "Temperature unit",
        enum: ["celsius", "fahrenheit"],
        default: "celsius",
      },
    },
    ["city"],
  ),
  tool(
    "convert_currency",
    "Convert an amount of money from one currency to another.",
    {
      amount: { type: "number", description: "Amount to convert" },
      from_currency: { type: "string", description: "ISO code of the source currency", enum: CURRENCIES },
      to_currency: { type: "string", description: "ISO code of the target currency", enum: CURRENCIES },
    },
    ["amount", "from_currency", "to_currency"],
  ),
  tool(
    "book_flight",
    "Book a flight.",
    {
      origin: { type: "string", description: "Departure city" },
      destination: { type: "string", description: "Arrival city" },
      date: { type: "string", description: "Departure date, YYYY-MM-DD" },
      passengers: { type: "integer", description: "Number of passengers", minimum: 1, maximum: 9 },
      cabin: {
        type: "string",
        description: "Cabin class",
        enum: ["economy", "business", "first"],
        default: "economy",
      },
    },
    ["origin", "destination", "date", "passengers"],
  ),
  tool(
    "set_alarm",
    "Set an alarm.",
    {
      time: { type: "string", description: "24-hour time, HH:MM" },
      label: { type: "string", description: "What the alarm is for" },
    },
    ["time"],
  ),
  tool(
    "send_email",
    "Send an email.",
    {
      to: { type: "string", description: "Recipient email address" },
      subject: { type: "string", description: "Subject line" },
      body: { type: "string", description: "Message text" },
    },
    ["to", "subject", "body"],
  ),
  tool(
    "calculate_tip",
    "Work out the tip on a bill, optionally split between people.",
    {
      bill_amount: { type: "number", description: "The bill total" },
      tip_percent: { type: "number", description: "Tip percentage, e.g. 18" },
      split: {
        type: "integer",
        description: "Number of people sharing the bill",
        minimum: 1,
        maximum: 20,
        default: 1,
      },
    },
    ["bill_amount", "tip_percent"],
  ),
  tool(
    "search_restaurants",
    "Find restaurants in a city.",
    {
      city: { type: "string", description: "City name" },
      cuisine: { type: "string", description: "Type of food", enum: CUISINES },
      max_price: {
        type: "integer",
        description: "Price level from 1 (cheap) to 4 (expensive)",
        minimum: 1,
        maximum: 4,
      },
    },
    ["city", "cuisine"],
  ),
  tool(
    "create_event",
    "Add an event to the calendar.",
    {
      title: { type: "string", description: "Event title" },
      date: { type: "string", description: "Date, YYYY-MM-DD" },
      start_time: { type: "string", description: "24-hour start time, HH:MM" },
      duration_minutes: {
        type: "integer",
        description: "Length of the event in minutes",
        minimum: 5,
        maximum: 600,
      },
    },
    ["title", "date", "start_time", "duration_minutes"],
  ),
  tool(
    "translate_text",
    "Translate text into another language.",
    {
      text: { type: "string", description: "The text to translate" },
      target_language: { type: "string", description: "Language to translate into", enum: LANGUAGES },
    },
    ["text", "target_language"],
  ),
  tool(
    "get_stock_price",
    "Get the latest price of a stock.",
    {
      symbol: { type: "string", description: "Ticker symbol, e.g. AAPL" },
    },
    ["symbol"],
  ),
];

export interface CallRequest {
  request: string;
  name: string;
  arguments: Args;
}

const CITIES = [
  "Paris",
  "Tokyo",
  "Nairobi",
  "Lima",
  "Oslo",
  "Toronto",
  "Cairo",
  "Sydney",
  "Madrid",
  "Hanoi",
  "Denver",
  "Dublin",
  "Seoul",
  "Prague",
  "Quito",
  "Austin",
];
const NAMES = ["maria", "li.wei", "sam.okafor", "j.berg", "anita", "tom.reyes", "yuki", "omar.h"];
const DOMAINS = ["example.com", "mail.test", "work.example.org"];
/** The arguments, plus an optional one when the request mentions it. */
const withOptional = (args: Args, key: string, value: string | number | null): Args =>
  value === null ? args : { ...args, [key]: value };
const pad = (n: number) => String(n).padStart(2, "0");
const isoDate = (rng: Rng) => `2025-${pad(rng.range(1, 12))}-${pad(rng.range(1, 28))}`;
const clock = (rng: Rng) => `${pad(rng.range(0, 23))}:${pad(rng.pick([0, 10, 15, 20, 30, 40, 45, 50]))}`;
const money = (rng: Rng) => rng.range(5, 2000) + rng.pick([0, 0.25, 0.5, 0.75, 0.99]);

/** One request per tool: the user's words and the exact call that fulfils them. */
const REQUESTS: Record<string, (rng: Rng) => CallRequest> = {
  get_weather(rng) {
    const city = rng.pick(CITIES);
    const unit = rng.pick(["celsius", "fahrenheit", null]);
    return {
      request: unit
        ? `What's the weather like in ${city} right now? Give me the temperature in ${unit}.`
        : `How's the weather in ${city} today?`,
      name: "get_weather",
      arguments: withOptional({ city }, "unit", unit),
    };
  },
  convert_currency(rng) {
    const [from, to] = rng.sample(CURRENCIES, 2);
    const amount = money(rng);
    return {
      request: `How much is ${amount} ${from} in ${to}?`,
      name: "convert_currency",
      arguments: { amount, from_currency: from, to_currency: to },
    };
  },
  book_flight(rng) {
    const [origin, destination] = rng.sample(CITIES, 2);
    const date = isoDate(rng);
    const passengers = rng.range(1, 6);
    const cabin = rng.pick(["business", "first", null]);
    const args: Args = { origin, destination, date, passengers };
    if (cabin) args.cabin = cabin;
    return {
      request: `Book ${passengers === 1 ? "a seat" : `${passengers} seats`} on a flight from ${origin} to ${destination} on ${date}${cabin ? ` in ${cabin} class` : ""}.`,
      name: "book_flight",
      arguments: args,
    };
  },
  set_alarm(rng) {
    const time = clock(rng);
    const label = rng.pick(["gym", "take medicine", "team standup", "call mom", null]);
    return {
      request: label ? `Set an alarm at ${time} labelled "${label}".` : `Wake me up at ${time}.`,
      name: "set_alarm",
      arguments: withOptional({ time }, "label", label),
    };
  },
  send_email(rng) {
    const to = `${rng.pick(NAMES)}@${rng.pick(DOMAINS)}`;
    const topic = rng.pick([
      "the quarterly report",
      "Friday's lunch",
      "the project deadline",
      "the new schedule",
      "the invoice",
    ]);
    const subject = `About ${topic}`;
    const body = rng.pick([
      "Can we talk tomorrow?",
      "Please see the attached notes.",
      "Thanks for your help!",
      "Running ten minutes late.",
    ]);
    return {
      request: `Email ${to} with the subject "${subject}" saying "${body}"`,
      name: "send_email",
      arguments: { to, subject, body },
    };
  },
  calculate_tip(rng) {
    const bill = money(rng);
    const percent = rng.pick([10, 12, 15, 18, 20, 22, 25]);
    const split = rng.pick([1, 2, 3, 4, 5, 6]);
    return {
      request: `Our bill is ${bill} dollars and we want to leave a ${percent}% tip${split > 1 ? `, split between ${split} people` : ""}. How much is that?`,
      name: "calculate_tip",
      arguments: withOptional({ bill_amount: bill, tip_percent: percent }, "split", split > 1 ? split : null),
    };
  },
  search_restaurants(rng) {
    const city = rng.pick(CITIES);
    const cuisine = rng.pick(CUISINES);
    const price = rng.pick([1, 2, 3, 4, null]);
    return {
      request: `Find ${cuisine} restaurants in ${city}${price ? ` with a price level of at most ${price}` : ""}.`,
      name: "search_restaurants",
      arguments: withOptional({ city, cuisine }, "max_price", price),
    };
  },
  create_event(rng) {
    const title = rng.pick([
      "Dentist",
      "Budget review",
      "Piano lesson",
      "Team retro",
      "Coffee with Ana",
      "Yoga",
    ]);
    const date = isoDate(rng);
    const start = clock(rng);
    const minutes = rng.pick([15, 30, 45, 60, 90, 120]);
    return {
      request: `Put "${title}" on my calendar on ${date} at ${start} for ${minutes} minutes.`,
      name: "create_event",
      arguments: { title, date, start_time: start, duration_minutes: minutes },
    };
  },
  translate_text(rng) {
    const text = rng.pick([
      "Where is the train station?",
      "Thank you very much",
      "I would like a coffee",
      "See you tomorrow",
      "How much does this cost?",
    ]);
    const language = rng.pick(LANGUAGES);
    return {
      request: `Translate "${text}" into ${language}.`,
      name: "translate_text",
      arguments: { text, target_language: language },
    };
  },
  get_stock_price(rng) {
    const symbol = rng.pick(["AAPL", "MSFT", "GOOG", "AMZN", "NVDA", "TSLA", "IBM", "ORCL", "SAP", "INTC"]);
    return { request: `What's ${symbol} trading at?`, name: "get_stock_price", arguments: { symbol } };
  },
};

export function makeRequest(rng: Rng): CallRequest {
  return REQUESTS[rng.pick(Object.keys(REQUESTS))](rng);
}
