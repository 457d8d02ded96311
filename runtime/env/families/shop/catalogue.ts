/** The shop's built-in catalogue: generated once from a fixed seed, the same on every machine. */
import { Rng } from "../../../util/random.ts";

export interface Product {
  asin: string;
  category: string;
  type: string;
  title: string;
  price: number;
  attributes: string[];
  /** Option group → the values this product comes in, e.g. { size: ["small", "large"] }. */
  options: Record<string, string[]>;
}

interface CategorySpec {
  types: string[];
  attributes: string[];
  options: Record<string, string[]>;
  price: [number, number];
}

const CATEGORIES: Record<string, CategorySpec> = {
  grocery: {
    types: ["snack bar", "coffee", "tea", "cookies", "granola", "chips", "jerky", "protein powder"],
    attributes: [
      "gluten free",
      "organic",
      "low sugar",
      "vegan",
      "non gmo",
      "keto friendly",
      "high protein",
      "caffeine free",
      "sugar free",
    ],
    options: {
      flavor: ["chocolate", "vanilla", "peanut butter", "mint", "sea salt", "berry", "original", "caramel"],
      size: ["6 pack", "12 pack", "24 pack", "1 pound", "2 pound"],
    },
    price: [3, 60],
  },
  fashion: {
    types: ["t-shirt", "hoodie", "jeans", "sneakers", "dress", "jacket", "socks", "leggings"],
    attributes: [
      "machine wash",
      "slim fit",
      "cotton",
      "moisture wicking",
      "long sleeve",
      "relaxed fit",
      "water resistant",
      "quick dry",
    ],
    options: {
      color: ["black", "white", "navy", "red", "grey", "olive", "pink", "blue"],
      size: ["small", "medium", "large", "x-large", "xx-large"],
    },
    price: [8, 120],
  },
  beauty: {
    types: ["shampoo", "face cream", "lip balm", "hair oil", "sunscreen", "body wash", "nail polish"],
    attributes: [
      "paraben free",
      "cruelty free",
      "fragrance free",
      "long lasting",
      "natural ingredients",
      "sensitive skin",
      "travel size",
    ],
    options: {
      scent: ["lavender", "coconut", "rose", "unscented", "citrus", "vanilla"],
      size: ["2 ounce", "4 ounce", "8 ounce", "16 ounce"],
    },
    price: [4, 70],
  },
  home: {
    types: [
      "throw pillow",
      "bath towel",
      "bed sheets",
      "curtains",
      "area rug",
      "table lamp",
      "storage basket",
    ],
    attributes: [
      "easy clean",
      "non slip",
      "machine washable",
      "blackout",
      "dust proof",
      "space saving",
      "eco friendly",
    ],
    options: {
      color: ["beige", "grey", "white", "navy", "sage green", "charcoal", "blush"],
      size: ["twin", "full", "queen", "king"],
    },
    price: [10, 150],
  },
  electronics: {
    types: [
      "phone case",
      "usb cable",
      "wireless earbuds",
      "power bank",
      "screen protector",
      "bluetooth speaker",
      "wall charger",
    ],
    attributes: [
      "fast charging",
      "waterproof",
      "noise cancelling",
      "high definition",
      "easy install",
      "long battery life",
      "shockproof",
    ],
    options: {
      color: ["black", "white", "blue", "red", "clear", "purple"],
      model: ["iphone 13", "iphone 14", "galaxy s22", "pixel 7", "universal"],
    },
    price: [6, 130],
  },
};

const BRANDS = [
  "Northwind",
  "Bluebird",
  "Oakridge",
  "Sunpeak",
  "Lumen",
  "Harbor",
  "Maple & Co",
  "Everly",
  "Quartz",
  "Pinecrest",
  "Riverstone",
  "Nimbus",
  "Solstice",
  "Fable",
  "Cobalt",
  "Wildroot",
  "Tandem",
  "Verity",
  "Ember",
  "Halcyon",
];

const CATALOGUE_SEED = "shop-catalogue-v1";
const PRODUCTS_PER_TYPE = 44;

let catalogue: Product[] | undefined;

/** The whole catalogue (about 1,600 products), built on first use. */
export function shopCatalogue(): Product[] {
  if (catalogue) return catalogue;
  const rng = new Rng(CATALOGUE_SEED);
  const products: Product[] = [];
  const asins = new Set<string>();
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
  for (const [category, spec] of Object.entries(CATEGORIES)) {
    for (const type of spec.types) {
      for (let i = 0; i < PRODUCTS_PER_TYPE; i++) {
        let asin: string;
        do {
          asin = "B0";
          for (let k = 0; k < 8; k++) asin += alphabet[rng.int(alphabet.length)];
        } while (asins.has(asin));
        asins.add(asin);
        const attributes = rng.sample(spec.attributes, rng.range(2, 4));
        const options: Record<string, string[]> = {};
        for (const [group, values] of Object.entries(spec.options)) {
          options[group] = values.filter(() => rng.chance(0.5));
          if (options[group].length === 0) options[group] = [rng.pick(values)];
        }
        // Titles show some of the attributes, never all of them: the item page has the full list.
        const shown = attributes.slice(0, rng.int(attributes.length));
        const title = [rng.pick(BRANDS), ...shown, type].join(" ");
        const [lo, hi] = spec.price;
        const price = Math.round((lo + rng.next() * (hi - lo)) * 100 - 1) / 100;
        products.push({ asin, category, type, title, price, attributes, options });
      }
    }
  }
  catalogue = products;
  return products;
}

let byAsin: Map<string, Product> | undefined;

export function productByAsin(asin: string): Product | undefined {
  byAsin ??= new Map(shopCatalogue().map((p) => [p.asin, p]));
  return byAsin.get(asin.toUpperCase());
}

export const tokenize = (text: string) => text.toLowerCase().match(/[a-z0-9]+/g) ?? [];

/**
 * Ranks the catalogue for a query: each distinct query word found in the product's title, type,
 * attributes or option values scores 1, with a small bonus when it is in the title. Products matching
 * no word are left out; ties keep catalogue order. At most 50 results.
 */
interface IndexedProduct {
  product: Product;
  title: Set<string>;
  features: Set<string>;
}

let searchIndex: IndexedProduct[] | undefined;

function indexedCatalogue(): IndexedProduct[] {
  searchIndex ??= shopCatalogue().map((product) => ({
    product,
    title: new Set(tokenize(product.title)),
    features: new Set(
      tokenize(
        `${product.type} ${product.attributes.join(" ")} ${Object.values(product.options).flat().join(" ")}`,
      ),
    ),
  }));
  return searchIndex;
}

export function searchCatalogue(query: string): Product[] {
  const words = [...new Set(tokenize(query))];
  if (words.length === 0) return [];
  const scored: Array<{ product: Product; score: number; index: number }> = [];
  indexedCatalogue().forEach(({ product, title, features }, index) => {
    let score = 0;
    for (const word of words) score += title.has(word) ? 1.1 : features.has(word) ? 1 : 0;
    if (score > 0) scored.push({ product, score, index });
  });
  scored.sort((a, b) => b.score - a.score || a.index - b.index);
  return scored.slice(0, 50).map((s) => s.product);
}
