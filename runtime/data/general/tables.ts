/**
 * The small tables the built-in general set draws from. Capitals, element symbols and unit
 * factors are real facts; names, objects, words and topic phrases are ordinary vocabulary.
 * Nothing here is invented knowledge, so a model trained on it learns nothing false.
 */

/** [country, capital] */
export const capitals: ReadonlyArray<readonly [string, string]> = [
  ["France", "Paris"],
  ["Germany", "Berlin"],
  ["Italy", "Rome"],
  ["Spain", "Madrid"],
  ["Portugal", "Lisbon"],
  ["Japan", "Tokyo"],
  ["China", "Beijing"],
  ["India", "New Delhi"],
  ["Egypt", "Cairo"],
  ["Kenya", "Nairobi"],
  ["Canada", "Ottawa"],
  ["Mexico", "Mexico City"],
  ["Brazil", "Brasilia"],
  ["Argentina", "Buenos Aires"],
  ["Peru", "Lima"],
  ["Chile", "Santiago"],
  ["Australia", "Canberra"],
  ["Russia", "Moscow"],
  ["Norway", "Oslo"],
  ["Sweden", "Stockholm"],
  ["Finland", "Helsinki"],
  ["Denmark", "Copenhagen"],
  ["Poland", "Warsaw"],
  ["Austria", "Vienna"],
  ["Greece", "Athens"],
  ["Turkey", "Ankara"],
  ["Ireland", "Dublin"],
  ["Hungary", "Budapest"],
  ["Belgium", "Brussels"],
  ["Netherlands", "Amsterdam"],
  ["Switzerland", "Bern"],
  ["Thailand", "Bangkok"],
  ["Vietnam", "Hanoi"],
  ["South Korea", "Seoul"],
  ["Indonesia", "Jakarta"],
  ["Iran", "Tehran"],
  ["Nigeria", "Abuja"],
  ["Ghana", "Accra"],
  ["Morocco", "Rabat"],
  ["Cuba", "Havana"],
  ["Colombia", "Bogota"],
  ["New Zealand", "Wellington"],
  ["Ukraine", "Kyiv"],
  ["Czechia", "Prague"],
];

/** [element, symbol] */
export const elements: ReadonlyArray<readonly [string, string]> = [
  ["hydrogen", "H"],
  ["helium", "He"],
  ["lithium", "Li"],
  ["carbon", "C"],
  ["nitrogen", "N"],
  ["oxygen", "O"],
  ["fluorine", "F"],
  ["neon", "Ne"],
  ["sodium", "Na"],
  ["magnesium", "Mg"],
  ["aluminium", "Al"],
  ["silicon", "Si"],
  ["phosphorus", "P"],
  ["sulfur", "S"],
  ["chlorine", "Cl"],
  ["argon", "Ar"],
  ["potassium", "K"],
  ["calcium", "Ca"],
  ["iron", "Fe"],
  ["copper", "Cu"],
  ["zinc", "Zn"],
  ["silver", "Ag"],
  ["tin", "Sn"],
  ["iodine", "I"],
  ["gold", "Au"],
  ["mercury", "Hg"],
  ["lead", "Pb"],
  ["uranium", "U"],
  ["nickel", "Ni"],
  ["platinum", "Pt"],
];

/** [larger unit (plural), smaller unit (plural), how many smaller in one larger] */
export const unitFactors: ReadonlyArray<readonly [string, string, number]> = [
  ["kilometers", "meters", 1000],
  ["meters", "centimeters", 100],
  ["centimeters", "millimeters", 10],
  ["kilograms", "grams", 1000],
  ["liters", "milliliters", 1000],
  ["hours", "minutes", 60],
  ["minutes", "seconds", 60],
  ["days", "hours", 24],
  ["weeks", "days", 7],
  ["years", "months", 12],
  ["feet", "inches", 12],
  ["yards", "feet", 3],
  ["dozens", "items", 12],
];

export const names: readonly string[] = [
  "Ana",
  "Ben",
  "Carla",
  "Dev",
  "Emma",
  "Farid",
  "Grace",
  "Hugo",
  "Iris",
  "Jon",
  "Kemi",
  "Liam",
  "Maya",
  "Nico",
  "Olga",
  "Pablo",
  "Quinn",
  "Rosa",
  "Sam",
  "Tara",
  "Uma",
  "Victor",
  "Wen",
  "Yara",
  "Zoe",
];

/** [singular, plural] */
export const things: ReadonlyArray<readonly [string, string]> = [
  ["apple", "apples"],
  ["book", "books"],
  ["pencil", "pencils"],
  ["coin", "coins"],
  ["sticker", "stickers"],
  ["marble", "marbles"],
  ["cookie", "cookies"],
  ["card", "cards"],
  ["shell", "shells"],
  ["stamp", "stamps"],
  ["egg", "eggs"],
  ["flower", "flowers"],
];

/** Common lower-case words for the string tasks. */
export const words: readonly string[] = (
  "apple bread chair dance eagle fence grape house igloo juice kite lemon mango night ocean piano " +
  "queen river snake table umbrella violin water yacht zebra bottle candle dragon forest garden " +
  "hammer island jacket kettle ladder magnet needle orange pepper rabbit saddle tunnel velvet " +
  "window yellow basket cactus dinner engine finger guitar helmet insect jungle kitten lizard " +
  "marble nature parrot rocket silver turtle valley walnut winter summer spring autumn cloud " +
  "storm thunder planet comet galaxy bridge castle tower market school museum office train " +
  "bicycle button carpet desert doctor farmer honey letter mirror number pillow puzzle rainbow " +
  "shadow sister spider sugar ticket tomato travel wallet wizard banana cherry coffee cotton " +
  "dollar family golden hidden little middle monkey paper pocket purple simple stone sunny " +
  "tiger timber tulip uncle vapor wonder"
).split(" ");

/** Bullet-list categories: [what to ask for, the allowed items]. */
export const listCategories: ReadonlyArray<readonly [string, readonly string[]]> = [
  ["fruits", ["apple", "pear", "plum", "banana", "cherry", "grape", "lemon", "mango", "orange", "peach"]],
  ["colors", ["red", "blue", "green", "yellow", "purple", "orange", "black", "white", "pink", "brown"]],
  ["animals", ["cat", "dog", "horse", "tiger", "lion", "zebra", "rabbit", "mouse", "eagle", "shark"]],
  ["vegetables", ["carrot", "potato", "onion", "pea", "bean", "leek", "cabbage", "spinach", "pepper"]],
  ["planets", ["Mercury", "Venus", "Earth", "Mars", "Jupiter", "Saturn", "Uranus", "Neptune"]],
  ["weekdays", ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]],
  ["months", ["January", "February", "March", "April", "May", "June", "July", "August"]],
];

/** "Describe X in exactly N words": a topic and a short phrase whose first N words answer it. */
export const wordTopics: ReadonlyArray<readonly [string, string]> = [
  ["the sea", "blue waves roll under endless open skies"],
  ["rain", "gray drops fall softly on quiet roofs"],
  ["winter", "cold white snow covers silent sleeping hills"],
  ["a cat", "soft quiet paws nap in warm sunlight"],
  ["the city", "busy streets hum with bright restless lights"],
  ["a forest", "tall green trees whisper in cool shade"],
  ["summer", "long warm days bring sun and laughter"],
  ["coffee", "dark hot bitter drink wakes tired minds"],
  ["the night", "dark quiet hours glow with distant stars"],
  ["a library", "silent shelves hold many patient old books"],
  ["the desert", "dry golden sand stretches under burning sun"],
  ["a garden", "bright flowers bloom between neat green rows"],
];

/** Impossible requests and why: a helpful assistant refuses them politely. */
export const impossibleRequests: ReadonlyArray<readonly [string, string]> = [
  ["Tell me the winning lottery numbers for next {day}.", "nobody can predict lottery numbers"],
  ["What number am I thinking of right now?", "I cannot read your mind"],
  ["Give me the exact price of gold on {day} in {year}.", "nobody can know future prices"],
  ["Count every grain of sand on Earth for me.", "that number cannot be counted"],
  ["Hand me a glass of water, {name}.", "I cannot move physical objects"],
  ["Tell me exactly what {name} will dream about tonight.", "nobody can know someone's dreams"],
  [
    "What will the weather be on {day} in {year}, to the minute?",
    "weather that far ahead cannot be predicted",
  ],
  ["Write down the last digit of pi.", "pi has no last digit"],
  ["Turn off the sun for an hour, please.", "nobody can turn off the sun"],
  ["Tell me who will win the football final in {year}.", "the future result is unknown"],
];

export const days: readonly string[] = [
  "Monday",
  "Tuesday",
  "Wednesday",
  "Thursday",
  "Friday",
  "Saturday",
  "Sunday",
];

export const greetings: ReadonlyArray<readonly [string, string]> = [
  ["Hello!", "Hello! How can I help you today?"],
  ["Hi there.", "Hi! What can I do for you?"],
  ["Good morning!", "Good morning! How can I help?"],
  ["Hey, how are you?", "Hi! I'm doing well, thanks. How can I help?"],
  ["Good evening.", "Good evening! What can I do for you?"],
];

export const thanks: ReadonlyArray<readonly [string, string]> = [
  ["Thank you!", "You're welcome!"],
  ["Thanks for your help.", "You're welcome! Glad I could help."],
  ["Thanks a lot, that was useful.", "You're welcome, happy to help."],
  ["Many thanks.", "My pleasure!"],
  ["Goodbye!", "Goodbye! Have a nice day."],
  ["Bye, see you later.", "Bye! Take care."],
];
