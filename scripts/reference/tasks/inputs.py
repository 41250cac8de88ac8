"""Inputs for the task fixtures (issue 16).

Hand-written so that every task sees: short and long texts, accents, CJK, sub-word entities,
several entities/spans per text, text pairs, an unanswerable question, and edge cases
(single word, punctuation only, repeated entities). Keep it stable: expected outputs are keyed on it.
"""

_LONG_EN = (
    "The committee met in Geneva on Tuesday to review the annual report. "
    "Maria Schneider, who chairs the finance group, said the budget had grown by four percent, "
    "mostly because of new offices in Nairobi and Montréal. "
    "Representatives from Siemens, the World Health Organization and the University of Toronto "
    "asked for more time to study the figures. "
)
# ~600+ word-piece tokens: exercises truncation (512) and, with stride, several chunks.
LONG_TEXT = (_LONG_EN * 9) + "In the end, Jean-Pierre Dubois from Lyon closed the meeting at six."

CLASSIFY_TEXTS = [
    "I absolutely loved this movie, the acting was wonderful.",
    "This was the worst meal I have ever had.",
    "The service was fine.",
    "Terrible customer support, they never answered my emails.",
    "What a fantastic, delightful surprise!",
    "The product broke after two days and nobody cared.",
    "Not bad at all, I would recommend it to friends.",
    "Mediocre at best.",
    "Das Essen war ausgezeichnet und der Kellner sehr freundlich.",
    "Le café était froid et le croissant rassis.",
    "Crème brûlée, café au lait, and a naïve piñata: a fiancé's résumé.",
    "这部电影非常好看，我很喜欢。",
    "東京の天気は今日とても悪いです。",
    "great",
    "!!!",
    "The new phone has a brilliant screen, but the battery life is disappointing and the camera is average.",
    "The election results surprised many analysts in Washington.",
    "The team won the championship after a dramatic penalty shootout.",
    "Researchers released a faster compiler for the new processor.",
    "Add two cups of flour, a pinch of salt and bake for forty minutes.",
    "Parliament passed the budget while the striker scored twice in the final.",
    "unbelievably overhyped antidisestablishmentarianism",
    "I can't say I didn't enjoy it, though I wouldn't watch it again.",
    "Stock markets fell sharply as the central bank raised interest rates.",
    "The chef's new restaurant serves Korean barbecue and Italian desserts.",
    LONG_TEXT[:1200],
    {"text": "A man is playing a guitar on stage.", "text_pair": "Someone is performing music."},
    {"text": "The cat sat on the mat.", "text_pair": "A dog is running in the park."},
    {"text": "How do I reset my password?", "text_pair": "Click 'Forgot password' on the login page."},
    {"text": "Élodie a gagné le match.", "text_pair": "Elodie lost the game."},
    {"text": "北京是中国的首都。", "text_pair": "Beijing is the capital of China."},
    {"text": "great", "text_pair": "terrible"},
]

NER_TEXTS = [
    "My name is Wolfgang and I live in Berlin.",
    "Angela Merkel met Emmanuel Macron in Paris on Monday.",
    "Apple Inc. is looking at buying a U.K. startup for $1 billion.",
    "Sundar Pichai is the CEO of Google, which is based in Mountain View.",
    "The European Union fined Microsoft in Brussels.",
    "José Álvarez-Núñez moved from Bogotá to São Paulo.",
    "Søren Kierkegaard was born in Copenhagen.",
    "Zbigniew Brzezinski advised Jimmy Carter at the White House.",
    "Nguyễn Thị Minh Khai studied in Hà Nội.",
    "Dr. Hiroshi Tanaka works at Toyota in Nagoya, Japan.",
    "习近平在北京会见了普京。",
    "東京大学の山田太郎さんは大阪に住んでいます。",
    "The Olympics in Rio de Janeiro were watched by millions of Brazilians.",
    "Shakespeare wrote Hamlet while living in London.",
    "Lufthansa flights from Frankfurt to New York were cancelled.",
    "Tesla and SpaceX are run by Elon Musk.",
    "Barack Obama, Michelle Obama and Joe Biden visited Chicago, Detroit and Cleveland.",
    "Volkswagenwerk Aktiengesellschaft reported record profits in Wolfsburg.",
    "Schwarzenegger governed California.",
    "she went to paris with marie and pierre.",
    "UNESCO, NATO and the IMF held talks.",
    "Hello!",
    "no entities here at all, just words.",
    "Mount Kilimanjaro is in Tanzania, near the Kenyan border.",
    "The Amazon river flows through Peru, Colombia and Brazil.",
    "Christopher Columbus sailed from Palos de la Frontera in 1492.",
    "Ólafur Arnalds performed at the Harpa concert hall in Reykjavík.",
    "Dmitri Mendeleev, Marie Skłodowska-Curie and Niels Bohr were scientists.",
    "Her brother works for the Deutsche Bundesbank in Frankfurt am Main.",
    "The match between Real Madrid and FC Barcelona ended 2-2 at the Bernabéu.",
    "  Leading and trailing spaces around London  ",
    LONG_TEXT,
]
# Texts run with stride (aggregation != none): long ones, plus one short (single chunk).
NER_STRIDE_TEXTS = [LONG_TEXT, NER_TEXTS[1]]

_QA_CTX_1 = ("The Eiffel Tower is a wrought-iron lattice tower on the Champ de Mars in Paris, France. "
             "It is named after the engineer Gustave Eiffel, whose company designed and built the tower "
             "from 1887 to 1889. It is 330 metres tall.")
_QA_CTX_2 = ("Marie Skłodowska-Curie was a Polish and naturalised-French physicist and chemist who conducted "
             "pioneering research on radioactivity. She was the first woman to win a Nobel Prize, and she won "
             "it twice, in 1903 and in 1911. She was born in Warsaw.")
_QA_CTX_3 = ("Der Rhein ist ein Fluss in Mitteleuropa. Er entspringt in den Schweizer Alpen und mündet in "
             "die Nordsee bei Rotterdam. Seine Länge beträgt etwa 1230 Kilometer.")
_QA_CTX_4 = "東京は日本の首都です。人口は約1400万人です。"
_QA_CTX_5 = ("Python was created by Guido van Rossum and first released in 1991. "
             "Java was designed by James Gosling at Sun Microsystems and released in 1995. "
             "Rust was started by Graydon Hoare at Mozilla Research.")
_QA_CTX_6 = ("The bakery on Rue Saint-Honoré opens at 7 a.m. and closes at 8 p.m. Its croissants cost "
             "€1.20 each and its baguettes €0.95. The owner, Françoise Lefèvre, has run it since 1998.")

QA_CASES = [
    ("Where is the Eiffel Tower?", _QA_CTX_1),
    ("Who designed the Eiffel Tower?", _QA_CTX_1),
    ("When was the tower built?", _QA_CTX_1),
    ("How tall is the Eiffel Tower?", _QA_CTX_1),
    ("What is the tower made of?", _QA_CTX_1),
    ("Where was Marie Curie born?", _QA_CTX_2),
    ("When did she win the Nobel Prize?", _QA_CTX_2),
    ("What did she research?", _QA_CTX_2),
    ("What was her nationality?", _QA_CTX_2),
    ("Wo mündet der Rhein?", _QA_CTX_3),
    ("Wie lang ist der Rhein?", _QA_CTX_3),
    ("日本の首都は?", _QA_CTX_4),
    ("Who created Python?", _QA_CTX_5),
    ("When was Java released?", _QA_CTX_5),
    ("Where was Rust started?", _QA_CTX_5),
    ("Who designed Java?", _QA_CTX_5),
    ("When does the bakery open?", _QA_CTX_6),
    ("How much is a croissant?", _QA_CTX_6),
    ("Who owns the bakery?", _QA_CTX_6),
    ("Since when has she run it?", _QA_CTX_6),
    ("What is the capital of Australia?", _QA_CTX_1),  # unanswerable from the context
    ("Who won the football world cup in 2014?", _QA_CTX_5),  # unanswerable
    ("Where did the committee meet?", LONG_TEXT),
    ("Who closed the meeting?", LONG_TEXT),
    ("Which university asked for more time?", LONG_TEXT),
    ("By how much did the budget grow?", LONG_TEXT),
    ("Where were the new offices?", LONG_TEXT),
    ("What?", "Yes."),
    ("Who?", "Jean-Pierre Dubois and Ólafur Arnalds met in Reykjavík."),
    ("Which city?", "They flew from Zürich to Kraków via Wrocław."),
    ("What is antidisestablishmentarianism?",
     "Antidisestablishmentarianism is opposition to the withdrawal of state support from an established church."),
    ("what year", "it happened in 1999 and again in 2004 and finally in 2011"),
]

ZERO_SHOT_CASES = [
    ("The team won the championship after a dramatic penalty shootout.", ["sports", "politics", "technology"]),
    ("Parliament passed the new budget on Tuesday.", ["sports", "politics", "technology"]),
    ("The new processor is twice as fast as the old one.", ["sports", "politics", "technology"]),
    ("Add two cups of flour and bake for forty minutes.", ["cooking", "travel", "finance"]),
    ("Our flight to Lisbon was delayed by three hours.", ["cooking", "travel", "finance"]),
    ("Stock markets fell sharply as the central bank raised rates.", ["cooking", "travel", "finance"]),
    ("I loved this movie!", ["positive", "negative"]),
    ("This was a waste of money.", ["positive", "negative"]),
    ("Le match de football était passionnant.", ["sport", "politique", "cuisine"]),
    ("这部手机的电池很好。", ["technology", "food"]),
    ("The senator scored a goal in the charity match.", ["sports", "politics"]),
    ("One day I will see the world.", ["travel", "cooking", "dancing", "exploration"]),
    ("The soup needs more salt.", ["cooking"]),
    ("The soup needs more salt.", ["politics"]),
    ("Crème brûlée is a French dessert.", ["food", "geography", "history", "music", "art"]),
    ("Apple released a new iPhone with a faster chip.", ["technology", "business", "sports"]),
    ("The orchestra played Beethoven's Ninth Symphony.", ["music", "science", "economy"]),
    ("Scientists discovered a new species of frog in the Amazon.", ["science", "nature", "politics"]),
    ("The company reported a loss for the third quarter.", ["business", "entertainment"]),
    ("great", ["positive", "negative", "neutral"]),
    ("I need to renew my passport before the trip.", ["travel", "bureaucracy", "health"]),
    ("The doctor prescribed antibiotics for the infection.", ["health", "finance", "sports"]),
    ("Elections will be held in November.", ["politics", "weather"]),
    ("It will rain all weekend in Hamburg.", ["politics", "weather"]),
    ("The striker signed a new contract with Real Madrid.", ["sports", "business", "law"]),
    ("Die Regierung hat neue Steuern angekündigt.", ["politics", "sports", "technology"]),
    ("Quantum computers may break current encryption.", ["technology", "security", "cooking"]),
    ("She painted a portrait of her grandmother.", ["art", "family", "finance"]),
    ("The recipe calls for fresh basil and tomatoes.", ["cooking", "gardening"]),
    ("Traffic on the motorway was blocked after an accident.", ["traffic", "sports", "music"]),
    (LONG_TEXT[:900], ["politics", "finance", "health"]),
]

RERANK_CASES = [
    ("How tall is the Eiffel Tower?", [
        "The Eiffel Tower is 330 metres tall.",
        "Paris is the capital of France.",
        "The Statue of Liberty was a gift from France.",
        "Bananas are rich in potassium.",
    ]),
    ("Who wrote Hamlet?", [
        "Hamlet is a tragedy written by William Shakespeare.",
        "Hamlet is a small village.",
        "Macbeth is another play.",
    ]),
    ("best way to cook rice", [
        "Rinse the rice, add water in a 1:2 ratio and simmer for 18 minutes.",
        "Rice is grown in Asia.",
        "The stock market fell today.",
    ]),
    ("capital of Germany", [
        "Berlin is the capital and largest city of Germany.",
        "Munich hosts the Oktoberfest.",
        "Die Hauptstadt Deutschlands ist Berlin.",
        "The Rhine flows into the North Sea.",
        "北京是中国的首都。",
    ]),
    ("symptoms of flu", [
        "Influenza symptoms include fever, cough and muscle aches.",
        "The flu season peaks in winter.",
        "Fly fishing is a popular sport.",
    ]),
    ("python list sort", [
        "Use list.sort() to sort a list in place, or sorted() to get a new list.",
        "Pythons are large snakes found in Africa and Asia.",
        "Java has Collections.sort.",
    ]),
    ("café near the station", [
        "Café Müller is two minutes from the main station.",
        "The station was built in 1905.",
        "Coffee beans are roasted at high temperature.",
    ]),
    ("how do vaccines work", [
        "Vaccines train the immune system to recognise a pathogen. " * 30,  # long: truncated
        "Vaccination schedules vary by country.",
        "The museum opens at nine.",
    ]),
    ("東京の人口", [
        "東京の人口は約1400万人です。",
        "大阪は日本の都市です。",
        "The population of Tokyo is about 14 million.",
    ]),
    ("who discovered penicillin", [
        "Alexander Fleming discovered penicillin in 1928.",
        "Penicillin is an antibiotic.",
        "Marie Curie discovered radium.",
    ]),
    ("x", ["x", "y"]),
]
