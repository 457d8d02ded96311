/** Mind2Web-like page snapshots: a few site templates, each a form with a task and its action sequence. */
import type { Rng } from "../../../util/random.ts";

export type Role = "link" | "button" | "textbox" | "combobox" | "checkbox";
export type Operation = "CLICK" | "TYPE" | "SELECT";

export interface WebElement {
  id: number;
  role: Role;
  label: string;
  options?: string[];
  /** The state after the previous actions: typed text, chosen option, ticked box, pressed button. */
  value?: string;
  checked?: boolean;
  pressed?: boolean;
}

/** One step of a site's task: which element (by index in the form), what to do, and why. */
export interface SiteStep {
  element: number;
  op: Operation;
  value?: string;
  purpose: string;
}

export interface SiteForm {
  site: string;
  heading: string;
  task: string;
  form: Array<Omit<WebElement, "id">>;
  steps: SiteStep[];
}

const CITIES = [
  "Boston",
  "Denver",
  "Seattle",
  "Chicago",
  "Austin",
  "Miami",
  "Atlanta",
  "Portland",
  "Phoenix",
  "Dallas",
  "San Diego",
  "Nashville",
  "New Orleans",
  "Minneapolis",
  "Detroit",
  "Baltimore",
  "Orlando",
  "Las Vegas",
  "Salt Lake City",
  "Pittsburgh",
  "Charlotte",
  "Kansas City",
  "Sacramento",
  "Honolulu",
  "Anchorage",
  "Raleigh",
];
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const date = (rng: Rng) => `${rng.pick(MONTHS)} ${rng.range(1, 28)}`;
/** Two dates in order within one month, e.g. ["May 3", "May 9"]. */
const dateRange = (rng: Rng): [string, string] => {
  const month = rng.pick(MONTHS);
  const start = rng.range(1, 20);
  return [`${month} ${start}`, `${month} ${start + rng.range(1, 8)}`];
};
const people = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

type SiteMaker = (rng: Rng) => SiteForm;

const flight: SiteMaker = (rng) => {
  const [from, to] = rng.sample(CITIES, 2);
  const when = date(rng);
  const passengers = people(rng.range(1, 6), "adult");
  const cabins = ["Economy", "Premium economy", "Business", "First"];
  const cabin = rng.pick(cabins);
  return {
    site: "SkyWays Airlines",
    heading: "Book a flight",
    task: `Find a one-way flight from ${from} to ${to} on ${when} for ${passengers} in ${cabin.toLowerCase()} class.`,
    form: [
      { role: "button", label: "Round trip" },
      { role: "button", label: "One-way" },
      { role: "textbox", label: "Leaving from" },
      { role: "textbox", label: "Going to" },
      { role: "textbox", label: "Departure date" },
      { role: "combobox", label: "Passengers", options: [1, 2, 3, 4, 5, 6].map((n) => people(n, "adult")) },
      { role: "combobox", label: "Cabin class", options: cabins },
      { role: "button", label: "Search flights" },
    ],
    steps: [
      { element: 1, op: "CLICK", purpose: "choose a one-way trip" },
      { element: 2, op: "TYPE", value: from, purpose: "enter the departure city" },
      { element: 3, op: "TYPE", value: to, purpose: "enter the destination city" },
      { element: 4, op: "TYPE", value: when, purpose: "enter the departure date" },
      { element: 5, op: "SELECT", value: passengers, purpose: "choose the number of passengers" },
      { element: 6, op: "SELECT", value: cabin, purpose: "choose the cabin class" },
      { element: 7, op: "CLICK", purpose: "run the search" },
    ],
  };
};

const restaurant: SiteMaker = (rng) => {
  const city = rng.pick(CITIES);
  const cuisines = ["Italian", "Mexican", "Japanese", "Indian", "Thai", "French", "Greek", "Korean"];
  const cuisine = rng.pick(cuisines);
  const when = date(rng);
  const times = ["5:30 PM", "6:00 PM", "6:30 PM", "7:00 PM", "7:30 PM", "8:00 PM", "8:30 PM", "9:00 PM"];
  const time = rng.pick(times);
  const party = people(rng.range(1, 8), "person").replace("persons", "people");
  return {
    site: "TableTime",
    heading: "Find a table",
    task: `Book a table for ${party} at a ${cuisine} restaurant in ${city} on ${when} at ${time}.`,
    form: [
      { role: "textbox", label: "Location" },
      { role: "combobox", label: "Cuisine", options: cuisines },
      { role: "textbox", label: "Date" },
      { role: "combobox", label: "Time", options: times },
      {
        role: "combobox",
        label: "Party size",
        options: [1, 2, 3, 4, 5, 6, 7, 8].map((n) => people(n, "person").replace("persons", "people")),
      },
      { role: "button", label: "Find a table" },
    ],
    steps: [
      { element: 0, op: "TYPE", value: city, purpose: "enter the city" },
      { element: 1, op: "SELECT", value: cuisine, purpose: "choose the cuisine" },
      { element: 2, op: "TYPE", value: when, purpose: "enter the date" },
      { element: 3, op: "SELECT", value: time, purpose: "choose the time" },
      { element: 4, op: "SELECT", value: party, purpose: "choose the party size" },
      { element: 5, op: "CLICK", purpose: "search for tables" },
    ],
  };
};

const carRental: SiteMaker = (rng) => {
  const city = rng.pick(CITIES);
  const [pickUp, dropOff] = dateRange(rng);
  const types = ["Economy", "Compact", "Midsize", "SUV", "Minivan", "Convertible", "Luxury"];
  const type = rng.pick(types);
  return {
    site: "RoadReady Rentals",
    heading: "Rent a car",
    task: `Rent ${/^[AEIOU]/.test(type) ? "an" : "a"} ${type.toLowerCase()} car in ${city} from ${pickUp} to ${dropOff}.`,
    form: [
      { role: "textbox", label: "Pick-up location" },
      { role: "textbox", label: "Pick-up date" },
      { role: "textbox", label: "Drop-off date" },
      { role: "combobox", label: "Car type", options: types },
      { role: "checkbox", label: "Return to a different location" },
      { role: "button", label: "Search cars" },
    ],
    steps: [
      { element: 0, op: "TYPE", value: city, purpose: "enter the pick-up city" },
      { element: 1, op: "TYPE", value: pickUp, purpose: "enter the pick-up date" },
      { element: 2, op: "TYPE", value: dropOff, purpose: "enter the drop-off date" },
      { element: 3, op: "SELECT", value: type, purpose: "choose the car type" },
      { element: 5, op: "CLICK", purpose: "search for cars" },
    ],
  };
};

const hotel: SiteMaker = (rng) => {
  const city = rng.pick(CITIES);
  const [checkIn, checkOut] = dateRange(rng);
  const guests = people(rng.range(1, 6), "guest");
  const rooms = people(rng.range(1, 3), "room");
  return {
    site: "StayFinder",
    heading: "Find your stay",
    task: `Find a hotel in ${city} from ${checkIn} to ${checkOut} for ${guests} in ${rooms}.`,
    form: [
      { role: "textbox", label: "Destination" },
      { role: "textbox", label: "Check-in" },
      { role: "textbox", label: "Check-out" },
      { role: "combobox", label: "Guests", options: [1, 2, 3, 4, 5, 6].map((n) => people(n, "guest")) },
      { role: "combobox", label: "Rooms", options: [1, 2, 3].map((n) => people(n, "room")) },
      { role: "button", label: "Search hotels" },
    ],
    steps: [
      { element: 0, op: "TYPE", value: city, purpose: "enter the destination" },
      { element: 1, op: "TYPE", value: checkIn, purpose: "enter the check-in date" },
      { element: 2, op: "TYPE", value: checkOut, purpose: "enter the check-out date" },
      { element: 3, op: "SELECT", value: guests, purpose: "choose the number of guests" },
      { element: 4, op: "SELECT", value: rooms, purpose: "choose the number of rooms" },
      { element: 5, op: "CLICK", purpose: "run the search" },
    ],
  };
};

const store: SiteMaker = (rng) => {
  const products = [
    "running shoes",
    "coffee grinder",
    "yoga mat",
    "desk lamp",
    "rain jacket",
    "backpack",
    "headphones",
    "water bottle",
    "air fryer",
    "office chair",
  ];
  const product = rng.pick(products);
  const sorts = [
    "Featured",
    "Price: low to high",
    "Price: high to low",
    "Avg. customer review",
    "Newest arrivals",
  ];
  const sort = rng.pick(sorts.slice(1));
  const departments = [
    "All departments",
    "Electronics",
    "Home & Kitchen",
    "Sports & Outdoors",
    "Clothing",
    "Office",
  ];
  const department = rng.pick(departments.slice(1));
  return {
    site: "MegaMart",
    heading: "Shop everything",
    task: `Search the ${department} department for ${product} and sort the results by ${sort.toLowerCase()}.`,
    form: [
      { role: "combobox", label: "Department", options: departments },
      { role: "textbox", label: "Search MegaMart" },
      { role: "button", label: "Go" },
      { role: "combobox", label: "Sort by", options: sorts },
    ],
    steps: [
      { element: 0, op: "SELECT", value: department, purpose: "choose the department" },
      { element: 1, op: "TYPE", value: product, purpose: "enter the product to search for" },
      { element: 2, op: "CLICK", purpose: "run the search" },
      { element: 3, op: "SELECT", value: sort, purpose: "sort the results" },
    ],
  };
};

const jobs: SiteMaker = (rng) => {
  const city = rng.pick(CITIES);
  const roles = [
    "data analyst",
    "nurse",
    "software engineer",
    "accountant",
    "graphic designer",
    "teacher",
    "electrician",
    "project manager",
  ];
  const role = rng.pick(roles);
  const types = ["Full-time", "Part-time", "Contract", "Internship"];
  const type = rng.pick(types);
  return {
    site: "CareerPath",
    heading: "Search jobs",
    task: `Find ${type.toLowerCase()} ${role} jobs in ${city} that can be done remotely.`,
    form: [
      { role: "textbox", label: "Job title or keywords" },
      { role: "textbox", label: "City or zip code" },
      { role: "combobox", label: "Job type", options: types },
      { role: "checkbox", label: "Remote only" },
      { role: "button", label: "Search jobs" },
    ],
    steps: [
      { element: 0, op: "TYPE", value: role, purpose: "enter the job title" },
      { element: 1, op: "TYPE", value: city, purpose: "enter the city" },
      { element: 2, op: "SELECT", value: type, purpose: "choose the job type" },
      { element: 3, op: "CLICK", purpose: "limit the results to remote jobs" },
      { element: 4, op: "CLICK", purpose: "run the search" },
    ],
  };
};

const events: SiteMaker = (rng) => {
  const city = rng.pick(CITIES);
  const categories = ["Concerts", "Sports", "Theater", "Comedy", "Festivals", "Family"];
  const category = rng.pick(categories);
  const window = rng.pick(["Today", "This weekend", "Next week"]);
  return {
    site: "TicketHub",
    heading: "Discover events",
    task: `Find ${category.toLowerCase()} events in ${city} ${window.toLowerCase()}.`,
    form: [
      { role: "textbox", label: "City" },
      { role: "combobox", label: "Category", options: categories },
      { role: "button", label: "Today" },
      { role: "button", label: "This weekend" },
      { role: "button", label: "Next week" },
      { role: "button", label: "Find events" },
    ],
    steps: [
      { element: 0, op: "TYPE", value: city, purpose: "enter the city" },
      { element: 1, op: "SELECT", value: category, purpose: "choose the category" },
      {
        element: ["Today", "This weekend", "Next week"].indexOf(window) + 2,
        op: "CLICK",
        purpose: "pick the dates",
      },
      { element: 5, op: "CLICK", purpose: "search for events" },
    ],
  };
};

export const SITES: Record<string, SiteMaker> = { flight, restaurant, carRental, hotel, store, jobs, events };

export const HEADER_LINKS = [
  "Home",
  "Deals",
  "Help",
  "Sign in",
  "Gift cards",
  "My trips",
  "Account",
  "Support",
];
export const FOOTER_LINKS = [
  "About us",
  "Careers",
  "Privacy",
  "Terms of use",
  "Contact",
  "Accessibility",
  "Site map",
];
