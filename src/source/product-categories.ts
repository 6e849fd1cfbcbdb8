/**
 * Stock codes of the Online Retail file that are charges, credits or book-keeping entries rather
 * than goods: postage (POST, DOT = dotcom postage, C2 = carriage), manual entries (M, m),
 * discounts (D), samples (S), bad-debt adjustments (B), bank and marketplace charges
 * (BANK CHARGES, AMAZONFEE), the CRUK charity commission, and PADS (a 0.001 filler line).
 * Matched case-insensitively. They become category `fees`, type `fee`, so that product
 * analytics can leave them out of cross-sell and merchandise statistics.
 */
export const FEE_STOCK_CODES = [
  "POST",
  "DOT",
  "C2",
  "M",
  "D",
  "S",
  "B",
  "BANK CHARGES",
  "AMAZONFEE",
  "CRUK",
  "PADS",
] as const;

/** The category every fee code gets. */
export const FEE_CATEGORY = "fees";

/** The category of a product whose name matches no keyword bucket (or has no name). */
export const OTHER_CATEGORY = "other";

/**
 * A category and the whole words (upper case, an optional plural `S` or `ES` allowed) that put a product
 * name into it.
 */
export interface KeywordBucket {
  readonly category: string;
  readonly keywords: readonly string[];
}

/**
 * The keyword buckets for product names, tried in this order; the first bucket with a matching
 * word wins (a "CHRISTMAS CANDLE" is `christmas`, a "CANDLE HOLDER" is `lighting`). Chosen from
 * the most frequent words of the 4,070 names so that most merchandise lands in a named bucket;
 * seasonal words come first because the season is what drives those products' sales.
 */
export const KEYWORD_BUCKETS: readonly KeywordBucket[] = [
  { category: "vouchers", keywords: ["VOUCHER"] },
  {
    category: "christmas",
    keywords: ["CHRISTMAS", "XMAS", "ADVENT", "SANTA", "REINDEER", "NATIVITY", "BAUBLE", "SNOWMAN"],
  },
  { category: "easter", keywords: ["EASTER"] },
  {
    category: "lighting",
    keywords: [
      "CANDLE",
      "T-LIGHT",
      "TLIGHT",
      "TEALIGHT",
      "LANTERN",
      "LIGHT",
      "LAMP",
      "NIGHTLIGHT",
      "INCENSE",
      "OIL BURNER",
      "CANDLEHOLDER",
      "CANDLESTICK",
      "LAMPSHADE",
    ],
  },
  {
    category: "jewellery",
    keywords: [
      "NECKLACE",
      "BRACELET",
      "EARRING",
      "BROOCH",
      "BANGLE",
      "PENDANT",
      "RING",
      "CHARM",
      "BEAD",
      "HAIR",
    ],
  },
  {
    category: "accessories",
    keywords: [
      "BAG",
      "HANDBAG",
      "WASHBAG",
      "SHOPPER",
      "TOTE",
      "BACKPACK",
      "RUCKSACK",
      "PURSE",
      "UMBRELLA",
      "PARASOL",
      "PASSPORT",
      "HAND WARMER",
    ],
  },
  {
    category: "kitchen",
    keywords: [
      "MUG",
      "CUP",
      "SAUCER",
      "PLATE",
      "BOWL",
      "TEAPOT",
      "TEA",
      "COFFEE",
      "CAKE",
      "CAKESTAND",
      "BAKING",
      "NAPKIN",
      "JAR",
      "LUNCH",
      "BOTTLE",
      "TRAY",
      "CUTLERY",
      "SPOON",
      "DISH",
      "PANTRY",
      "KITCHEN",
      "JAM",
      "APRON",
      "TUMBLER",
      "BEAKER",
      "JUG",
      "PICNIC",
      "TIN",
      "PAN",
      "FOOD",
      "PLACEMAT",
      "COASTER",
      "BISCUIT",
      "TOWEL",
      "PLATTER",
      "STRAW",
    ],
  },
  {
    category: "stationery",
    keywords: [
      "CARD",
      "WRAP",
      "PAPER",
      "NOTEBOOK",
      "NOTEPAD",
      "PENCIL",
      "PEN",
      "STICKER",
      "TAPE",
      "RIBBON",
      "TAG",
      "ENVELOPE",
      "CALENDAR",
      "ERASER",
      "BOOK",
      "DIARY",
      "STAMP",
      "CHALK",
      "SKETCHBOOK",
      "DRAWING",
      "PAD",
    ],
  },
  {
    category: "toys",
    keywords: [
      "TOY",
      "GAME",
      "PUZZLE",
      "JIGSAW",
      "DOLL",
      "PARTY",
      "BALLOON",
      "SKIPPING ROPE",
      "SPINNING TOP",
      "MARBLE",
      "DOMINO",
      "KITE",
      "KIT",
      "FELTCRAFT",
      "BALL",
      "BLOCK",
      "RADIO",
    ],
  },
  {
    category: "garden",
    keywords: [
      "GARDEN",
      "PLANT",
      "PLANTER",
      "WATERING",
      "FLOWER POT",
      "BIRD HOUSE",
      "BIRD FEEDER",
      "HERB",
      "BUCKET",
      "WINDMILL",
    ],
  },
  {
    category: "home",
    keywords: [
      "FRAME",
      "CLOCK",
      "SIGN",
      "CUSHION",
      "HANGER",
      "HOOK",
      "DOORMAT",
      "MIRROR",
      "VASE",
      "ORNAMENT",
      "DECORATION",
      "WREATH",
      "GARLAND",
      "BUNTING",
      "DOORSTOP",
      "DRAWER",
      "CABINET",
      "KNOB",
      "TILE",
      "PICTURE",
      "HOLDER",
      "STORAGE",
      "BASKET",
      "BOX",
      "SHELF",
      "THROW",
      "QUILT",
      "BLANKET",
      "MAGNET",
      "PLAQUE",
      "ART",
      "CURTAIN",
      "BIN",
      "RACK",
      "TISSUE",
      "DOORSIGN",
      "CHIME",
      "TRELLIS",
      "HEART",
    ],
  },
];

/**
 * The RE2 pattern that matches a bucket's keywords as whole words of an upper-cased name, each
 * with an optional plural `S` or `ES` (`\b(?:MUG|BOX)(?:E?S)?\b`). Keywords hold only letters,
 * spaces and hyphens, so they need no escaping.
 */
export function bucketPattern(bucket: KeywordBucket): string {
  return `\\b(?:${bucket.keywords.join("|")})(?:E?S)?\\b`;
}
