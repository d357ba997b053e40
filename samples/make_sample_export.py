"""Build the synthetic ChatGPT export in ``samples/chatgpt-export/``.

Every conversation and note below was written by hand for this project; nothing is taken
from a real person's history or from a public data set. The script only adds the export's
structure: the ``mapping`` tree, hidden system messages, branches from edited and
regenerated messages, tool calls and citations, timestamps and deterministic ids.

Run it from anywhere; it rewrites ``conversations.json``, ``notes.json`` and ``topics.json``
next to itself (standard library only)::

    python samples/make_sample_export.py
"""

# The data is natural-language text in English, Korean and Chinese, so typographic
# punctuation (en dashes, full-width commas) is intended.
# ruff: noqa: RUF001

from __future__ import annotations

import hashlib
import json
import re
import textwrap
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

OUT_DIR = Path(__file__).resolve().parent / "chatgpt-export"
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://graphnode.invalid/samples/chatgpt-export")

SOURDOUGH = "sourdough-baking"
RUNNING = "marathon-running"
RUST = "rust-programming"
JAPAN = "japan-trip"
PLANTS = "houseplants"
FINANCE = "personal-finance"
TOPICS = (SOURDOUGH, RUNNING, RUST, JAPAN, PLANTS, FINANCE)

# A turn is a tuple whose first item says what it is:
#   ("user", text) / ("assistant", text): a message on the conversation's current path
#   ("image", text, image): a user message with a photo (multimodal_text)
#   ("call", code): an assistant message that calls the web tool (content_type code)
#   ("tool", text, results): the tool's answer; the next assistant message cites it
#   ("edited", old_user, old_answer): an abandoned branch; the next user message is the edit
#   ("regen", old_answer): an abandoned answer; the next assistant message is the retry
Turn = tuple[Any, ...]

_BLOCK_START = re.compile(r"^\s*(?:[-*+] |\d+\. |#|\||> )")
_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
_CITATION = re.compile(r"【(\d+)†source】")


def _join(prev: str, line: str) -> str:
    """Join a wrapped line onto the previous one (no space between Chinese characters)."""
    line = line.strip()
    if _CJK.match(prev[-1]) or _CJK.match(line[0]):
        return prev + line
    return prev + " " + line


def _text(raw: str) -> str:
    """Unwrap hand-wrapped text: paragraphs and list items become single lines.

    Blank lines, list items, headings, tables and fenced code blocks are kept as they are.
    """
    out: list[str] = []
    in_code = False
    joinable = False
    for line in textwrap.dedent(raw).strip("\n").split("\n"):
        stripped = line.strip()
        if stripped.startswith("```") or in_code:
            if stripped.startswith("```"):
                in_code = not in_code
            out.append(line.rstrip())
            joinable = False
        elif not stripped:
            out.append("")
            joinable = False
        elif joinable and not _BLOCK_START.match(line):
            out[-1] = _join(out[-1], line)
        else:
            out.append(line.rstrip())
            joinable = not stripped.startswith(("#", "|"))
    return "\n".join(out)


def user(text: str) -> Turn:
    return ("user", _text(text))


def assistant(text: str) -> Turn:
    return ("assistant", _text(text))


def image(text: str, *, name: str, width: int, height: int, size_bytes: int) -> Turn:
    return ("image", _text(text), {"name": name, "w": width, "h": height, "size": size_bytes})


def call(code: str) -> Turn:
    return ("call", code)


def tool(text: str, results: list[tuple[int, str, str]]) -> Turn:
    return ("tool", _text(text), results)


def edited(old_user: str, old_answer: str) -> Turn:
    return ("edited", _text(old_user), _text(old_answer))


def regen(old_answer: str) -> Turn:
    return ("regen", _text(old_answer))


@dataclass(frozen=True)
class Conv:
    key: str
    topic: str
    title: str
    when: str
    turns: tuple[Turn, ...]
    model: str | None = None


CONVERSATIONS: list[Conv] = []


def conv(key: str, topic: str, title: str, when: str, *turns: Turn, model: str = "") -> None:
    CONVERSATIONS.append(Conv(key, topic, title, when, turns, model or None))


@dataclass(frozen=True)
class Note:
    key: str
    topic: str
    title: str
    created: str
    updated: str
    sections: tuple[str, ...]


NOTES: list[Note] = []


def note(key: str, topic: str, title: str, created: str, updated: str, *sections: str) -> None:
    NOTES.append(Note(key, topic, title, created, updated, tuple(_text(s) for s in sections)))


# --------------------------------------------------------------------------------------
# Sourdough and bread baking
# --------------------------------------------------------------------------------------

conv(
    "starter-acetone",
    SOURDOUGH,
    "Starter Smells Like Nail Polish",
    "2025-01-09 19:12",
    user("""
My starter is about 10 days old (half whole wheat, half all-purpose, fed once a day) and this
morning it smelled really sharp, almost like nail polish remover. There's also a grayish liquid
sitting on top. Did I kill it?
"""),
    assistant("""
You almost certainly didn't kill it. That sharp, acetone-like smell is a classic sign of a
hungry starter: once the yeast and bacteria run out of food they start producing more ethyl
acetate and acetic acid, and the gray liquid (bakers call it "hooch") is alcohol that has
separated out. A few changes usually sort it out within two or three days:

- **Feed at a higher ratio.** Once a day at 1:1:1 is often too little for a young, active
  culture. Try 1:5:5 (starter:flour:water by weight), which dilutes the acids and gives the
  microbes more to eat before the next feeding.
- **Pour off or stir in the hooch.** Pouring it off gives a milder flavor; stirring it in
  makes things more sour. Either is fine.
- **Watch the temperature.** A warm kitchen speeds everything up, so the starter peaks and
  crashes long before you feed it again. Around 75°F (24°C) is a comfortable target.

If a few hours after feeding it rises predictably and smells yeasty or yogurty, it's healthy.
"""),
    user("""
ok switching to 1:5:5. How do I know when it's actually ready to bake with? It doubled yesterday
but then fell back down pretty fast.
"""),
    assistant("""
Doubling is a great sign, and the quick collapse just means it peaked before you looked. The
usual benchmark is consistency: a starter is ready when it reliably at least doubles within
4–8 hours of a feeding, several days in a row, at a fairly stable temperature.

Put a rubber band around the jar at the level right after you feed it so you can see both the
rise and the peak. Use it at or just before the peak, when the surface is domed and bubbly
rather than sunken and wrinkled. The float test (dropping a spoonful in water) is popular but
unreliable with whole-grain starters, so I'd trust the rise pattern more. Give it another 3–5
days of predictable behavior before your first loaf.
"""),
)

conv(
    "bakers-percentages",
    SOURDOUGH,
    "Converting Recipe to Baker's Percentages",
    "2025-02-02 10:41",
    user("""
I have a recipe that's 500g bread flour, 375g water, 100g starter (100% hydration), 10g salt.
What's the actual hydration once you count the flour and water inside the starter? and how
would I write this in baker's percentages
"""),
    assistant("""
A 100% hydration starter is half flour and half water, so your 100 g of starter contributes
50 g of each.

- Total flour: 500 + 50 = **550 g**
- Total water: 375 + 50 = **425 g**
- True hydration: 425 / 550 ≈ **77%**

In baker's percentages every ingredient is expressed relative to the flour, which counts as
100%. Using the added flour (the most common convention for recipes):

| Ingredient | Weight | Baker's % |
|---|---|---|
| Bread flour | 500 g | 100% |
| Water | 375 g | 75% |
| Starter | 100 g | 20% |
| Salt | 10 g | 2% |

Some bakers compute salt against the total flour instead, which here would be about 1.8%.
"""),
    user("""
I want to scale it to two loaves of about 900g of dough each, and drop the hydration to around
72% because the last one spread like a pancake
"""),
    assistant("""
Let's keep the starter at 20% and the salt at 2% of the added flour, and solve for 1,800 g of
dough at 72% true hydration.

If *x* is the added flour, the starter is 0.2*x* (0.1*x* flour, 0.1*x* water), so total flour is
1.1*x* and total water must be 0.72 × 1.1*x* ≈ 0.792*x*. Subtracting the starter's water leaves
0.692*x* of added water. The whole dough is then *x* + 0.692*x* + 0.2*x* + 0.02*x* = 1.912*x*,
so *x* ≈ 941 g.

Rounded for the kitchen:

- Bread flour: **940 g**
- Water: **650 g**
- Starter: **188 g**
- Salt: **19 g**

That gives about 1,797 g of dough at 72% hydration. One tip: hold back 30–40 g of the water
and add it during the first set of folds only if the dough feels stiff. Flours vary a lot in
how much water they take up.
"""),
    user("Perfect. Is 2% salt standard or is that on the salty side?"),
    assistant("""
2% is right in the middle of normal. Most lean bread doughs land between 1.8% and 2.2% of the
flour weight. Below about 1.5% the bread tastes flat, and you'll notice the dough is slacker,
because salt tightens the gluten network and slightly slows fermentation. Above 2.5% it starts
to taste noticeably salty and can slow the rise. If you want less sodium, 1.8% is a safe floor
for flavor and structure.
"""),
)

conv(
    "gummy-crumb",
    SOURDOUGH,
    "Dense Gummy Crumb Troubleshooting",
    "2025-03-15 16:05",
    user("""
Third loaf in a row with a tight, gummy crumb near the bottom and a few big holes near the top.
Bulk was 5 hours at about 70°F, then shaped and into the fridge overnight. The starter was
bubbly when I used it. What am I doing wrong?
"""),
    regen("""
A gummy crumb is usually caused by underbaking or by slicing the loaf too soon. Make sure the
inside reaches about 205°F (96°C) and let the bread cool for at least an hour before cutting.
You could also leave it in the oven a few minutes longer with the lid off.
"""),
    assistant("""
That pattern (dense, gummy bottom with big irregular holes under the top crust) points most
strongly to **under-fermentation during bulk**, not to the bake. At 70°F, five hours is often
too short, especially if the starter was only moderately active. The dough never built enough
gas and structure, so the few pockets it had migrated upward and ballooned in the oven while
the rest stayed tight.

What to change:

1. **Judge bulk by the dough, not the clock.** Look for a 50–75% increase in volume, a domed
   surface, bubbles along the sides and bottom of the container, and a jiggly, airy feel when
   you shake it.
2. **Use a straight-sided container** with a piece of tape marking the starting level so you
   can actually read the rise.
3. **Mind the temperature.** At 75–78°F bulk often finishes in 4–6 hours; at 70°F it can take
   7–9.
4. **Still cool it properly.** Cutting into hot bread makes any crumb look gummy, so wait at
   least an hour.

If you share a photo of the crumb next time, I can be more specific.
"""),
    user("""
the container thing is a good idea, I was just eyeballing it. Next bake I let it go 7 hours
until it grew maybe 60% and the crumb was SO much more open. thank you
"""),
    assistant("""
That's a big improvement, nice work. Now that you've seen what properly fermented dough looks
like, keep a short log for each bake: room temperature, how long the starter took to peak,
bulk duration and the percentage rise. After a handful of bakes you'll have your own chart
for how long bulk takes in your kitchen in summer versus winter.

If the crumb is open but the loaf still spreads in the oven, the next thing to look at is
shaping: building more surface tension during the final shape gives you height.
"""),
)

conv(
    "cold-retard",
    SOURDOUGH,
    "Cold Retard Overnight Timing",
    "2025-04-20 21:30",
    user("""
Can I leave shaped loaves in the fridge for 36 hours instead of 14? I'm busy Saturday and
would rather bake Sunday night.
"""),
    assistant("""
Usually yes. At a true 38–40°F (3–4°C) fermentation slows to a crawl, and plenty of bakers
retard for 24–48 hours on purpose. Expect a few differences:

- **More sour flavor** and often a darker, blistered crust.
- **Higher risk of over-proofing** if bulk fermentation already went far. For a long retard,
  end bulk a bit earlier, around a 40–50% rise instead of 60–75%.
- **Skin and drying:** cover the bannetons well (a shower cap or a bag) so the surface doesn't
  dry out.

Bake straight from the fridge; cold dough is easier to score and holds its shape better.
"""),
    user("what does over-proofed look like coming out of the fridge vs fine?"),
    assistant("""
A well-proofed cold loaf looks slightly domed, feels firm, and holds its shape when you turn
it out of the banneton. You may see a few small bubbles on the surface.

An over-proofed one tends to be flat or even slightly sunken in the basket, very soft and
slack, sometimes with large bubbles right under the skin. When you turn it out it spreads
sideways, the score doesn't open and may even tear, and the finished loaf comes out flat and
paler, with a crumb of big holes surrounded by dense, collapsed areas. The poke test is less
reliable straight from the fridge because cold dough always springs back slowly.
"""),
    user("my fridge is kind of warm I think, maybe 43F?"),
    assistant("""
That changes things. At 43°F (6°C) fermentation keeps going at a noticeable pace, so 36 hours
becomes risky unless you compensate. Options:

- Put a cheap thermometer on the bottom shelf at the back, usually the coldest spot, and keep
  the loaves there.
- Cut the starter from 20% to 10% of the flour so the whole schedule runs slower.
- Shorten bulk so the dough goes into the fridge younger.
- Or turn the fridge down a notch for the weekend if the rest of your food tolerates it.

With two of those changes, a 36-hour retard at 43°F is very doable.
"""),
)

conv(
    "whole-wheat-flat",
    SOURDOUGH,
    "全麦面包扁平原因",
    "2025-06-08 09:20",
    user("""
我用百分之五十的全麦粉做天然酵母面包，每次烤出来都很扁，
切开组织也很密。用白面粉做的就还可以。
是不是全麦粉需要更多的水？
"""),
    assistant("""
是的，这个问题很常见。全麦粉里有麸皮和胚芽，吸水比白面粉多，
而且麸皮的边缘会割断面筋，所以面团更难撑住形状。可以试试这几点：

1. **提高含水量**：比白面粉配方多加5%到10%的水，
   但要分两次加，先看面团的状态。
2. **先做水解（autolyse）**：面粉和水先混合，
   静置30到60分钟，让麸皮充分吸水。
3. **缩短发酵时间**：全麦粉里的酶和营养更多，
   发酵更快，很容易发过头。体积涨到百分之五十左右就可以整形了。
4. **整形时多建立表面张力**，然后放进发酵篮冷藏定型。

另外，如果酵种本身不够活跃，全麦面团也会显得特别沉。
"""),
    user("""
水解的时候要不要放盐和酵种？还有，
要不要换成高筋面粉来配全麦？
"""),
    assistant("""
传统的水解只放面粉和水，静置之后再加酵种和盐，
因为盐会让面筋收紧，也会影响面粉吸水。
也有人把酵种和面粉、水一起先混合，这种做法叫 fermentolyse，
时间要控制得更短一些，因为发酵已经开始了。

换高筋面粉是很好的办法。蛋白质含量在12.5%以上的面粉
能形成更强的面筋网络，可以弥补麸皮造成的破坏。
建议先从全麦30%、高筋面粉70%开始，含水量大约75%。
成功几次以后，再每次把全麦提高10%，同时多加一点水。
"""),
    user("好的，谢谢！烤的时候温度需要调整吗？"),
    assistant("""
全麦面包颜色深，表皮容易上色过快。可以先用250°C带盖烤20分钟，
然后开盖降到230°C，再烤20到25分钟。
如果表皮已经很深但中心温度还不到96°C，可以在上面松松地盖一张锡纸。
烤好以后一定要完全放凉再切，全麦面包的组织需要时间定型。
"""),
)

conv(
    "dutch-oven-vs-steel",
    SOURDOUGH,
    "Dutch Oven vs Baking Steel",
    "2025-07-12 14:48",
    user("""
I've been baking boules in a 5 qt Dutch oven but I want to make batards and bake two loaves at
once. Is a baking steel with a steam tray worth it, or will the crust suffer?
"""),
    assistant("""
A steel can give you an excellent crust, but you have to replace what the Dutch oven was
quietly doing for you: trapping the steam that comes off the dough itself. Without a lid you
need to add steam for the first 15–20 minutes so the crust stays soft long enough for the loaf
to expand.

What works well:

- **A 1/4" steel** preheated for 45–60 minutes at 475–500°F. Steel conducts heat faster than a
  stone, so the bottom gets a strong push of oven spring.
- **Steam:** a preheated cast-iron pan on the lowest rack filled with lava rocks or steel
  scrubbers, plus a cup of boiling water poured in right after loading.
- **Or skip steam entirely** by covering the loaves with an inverted roasting pan for the first
  20 minutes, which recreates the Dutch oven over two batards.

The trade-off is convenience: the Dutch oven is nearly foolproof, the steel takes some
practice but scales better.
"""),
    user("it's a gas oven. does that change anything?"),
    assistant("""
It does. Gas ovens vent combustion gases, and the steam leaves with them, so steam trays are
much less effective than in an electric oven. In a gas oven the covering method is the most
reliable: bake on the steel and put a disposable foil roasting pan or a stainless hotel pan
over the loaves for the first 20 minutes, then remove it to brown the crust.

Two things to avoid: spraying water onto the oven walls (it barely helps and can crack the
glass in the door) and the wet-towel-in-a-pan trick, which mostly cools the oven down.
"""),
)

conv(
    "rye-starter",
    SOURDOUGH,
    "Rye Starter for Pumpernickel",
    "2025-08-30 11:02",
    user("""
I want to try a German-style 100% rye. Can I just use my wheat starter or do I need a
dedicated rye one?
"""),
    assistant("""
You can convert the one you have. Take a spoonful and feed it with whole rye flour for two or
three feedings, and the culture adapts quickly; rye is very easy for the microbes to eat.
Many bakers keep the rye culture (a *Sauerteig*) a bit warmer and slightly stiffer than a
wheat starter.

The bigger change is in the bread itself. Rye barely forms gluten; its structure comes from
starches and gums called pentosans. Rye flour is also rich in amylase, an enzyme that breaks
starch down and can turn the crumb sticky. Acidity keeps that enzyme in check, which is why
pure rye breads are made with a large portion of sour culture and why you don't knead them:
you mix a paste, shape it with wet hands, and proof it in a tin.
"""),
    user("why does rye bread need to rest a day before slicing? the recipe insists on 24-48h"),
    assistant("""
Because the crumb isn't finished when it comes out of the oven. A rye loaf holds a lot of
water bound up in gelatinized starch and gums. As it cools and rests, the starch slowly
firms up (retrogradation) and moisture spreads evenly through the loaf. Cut too early and the
knife drags through a wet, gummy center that never recovers. Wrap it in a linen towel or
paper and leave it on the counter; the flavor also deepens over those two days.
"""),
    user("and the pumpernickel that's almost black — is that from cocoa?"),
    assistant("""
In the traditional Westphalian version, no. The color comes from baking at a very low
temperature in a steamy, closed environment for 16–24 hours. Over that time the sugars and
proteins in the rye go through slow Maillard browning, which turns the crumb dark and gives it
a sweet, almost coffee-like taste without anything added.

Many commercial pumpernickels take a shortcut with caramel color, cocoa, coffee or molasses.
At home you can get close by baking in a lidded Pullman pan at around 250°F overnight, with a
pan of water in the oven.
"""),
)

conv(
    "discard-crackers",
    SOURDOUGH,
    "Sourdough Discard Crackers",
    "2025-10-04 17:37",
    user("""
I have a whole jar of discard in the fridge. Do you have a cracker recipe that doesn't need a
ton of butter? I'd like them thin and snappy.
"""),
    assistant("""
Here's an olive-oil version that bakes up crisp:

- 200 g discard (any hydration around 100%)
- 100 g flour; whole wheat or rye adds nice flavor
- 30 g olive oil
- 4 g salt, plus flaky salt for the top
- 2 tbsp seeds (sesame, flax, everything-bagel mix) and a pinch of dried rosemary if you like

Mix into a firm dough and let it rest 30 minutes so it rolls out without shrinking. Roll it
between two sheets of parchment as thin as you can, about 1–2 mm, then peel off the top
sheet, dock it all over with a fork, brush lightly with water and sprinkle the salt. Score
into squares with a pizza cutter and bake at 350°F for 20–30 minutes, rotating halfway. The
edges brown first, so pull those pieces off early and let the middle keep going. They crisp up
more as they cool.
"""),
    user("how long does discard keep in the fridge before it goes bad? mine is about 3 weeks old"),
    assistant("""
Three weeks is usually fine. Refrigerated discard keeps for weeks, it just gets more sour and
may collect a layer of gray liquid on top, which you can pour off or stir in. Throw it out if
you see pink, orange or red streaks, or fuzzy mold, or if it smells rotten rather than sharply
sour. For crackers, older discard is actually an advantage: the tang comes through nicely.
"""),
)

conv(
    "starter-travel",
    SOURDOUGH,
    "Keeping Starter Alive While Traveling",
    "2025-11-02 20:15",
    user("""
Going away for two weeks. What's the best way to keep my starter going without anyone feeding
it?
"""),
    assistant("""
Two weeks is easy to bridge. The simplest approach is a **stiff feeding before the fridge**:
feed it at about 50% hydration (for example 20 g starter, 100 g flour, 50 g water), let it sit
at room temperature for an hour or two, then refrigerate it in a jar with some headroom. A
stiff, well-fed starter ferments slowly and comfortably lasts two to three weeks.

If you want insurance, make a **dried backup** too: smear a spoonful very thinly on parchment,
let it dry completely for a day or two, break it into flakes and keep them in a sealed jar. Dried
starter keeps for months and revives with a few feedings.
"""),
    user("if I do the stiff fridge method, how do I wake it back up?"),
    assistant("""
Take it out, discard all but about 20 g, and feed it 1:5:5 at normal hydration at room
temperature. Repeat every 12 hours. Usually after two or three feedings it's back to doubling
on schedule. The first loaf after a long rest can be a bit slower in bulk, so go by the rise in
the container rather than the clock.
"""),
)

conv(
    "scoring-ear",
    SOURDOUGH,
    "Scoring Loaves That Won't Open",
    "2026-01-18 15:22",
    user("""
My scores just seal back up in the oven and I never get an ear. I'm using a razor blade,
cutting straight down, about 1/4 inch deep.
"""),
    assistant("""
The straight-down cut is most likely the main culprit. An ear forms when the blade cuts at a
shallow angle, creating a flap of dough that lifts and bakes crisp as the loaf expands. Try:

- **Angle:** hold the blade at 30–45° to the surface, nearly flat for batards.
- **Depth:** about 1/2 inch for the main cut, in one decisive, quick stroke.
- **Cold dough:** score straight from the fridge; warm dough drags and seals.
- **Steam:** the first 20 minutes need a moist environment so the cut edges stay flexible.
- **Tension and proof:** a loose shape or over-proofed dough won't push the cut open no matter
  how you score it.
"""),
    user("should I be using rice flour on the banneton too? the dough sticks sometimes"),
    assistant("""
Yes. Rice flour has no gluten-forming proteins and doesn't turn into paste the way wheat flour
does, so it's much better at preventing sticking. Many bakers use a 50/50 mix of rice flour and
all-purpose. A light dusting on top of the loaf also gives a white background that makes the
scoring pattern stand out after baking.
"""),
    user("ok last q: how do people do those wheat stalk patterns without deflating the loaf"),
    assistant("""
The trick is that only one cut does the work. Make a single deep, angled expansion cut off to
one side, then add the decorative leaves as very shallow cuts, 1–2 mm deep, with the blade
held almost flat. Shallow cuts don't release much gas, so the loaf keeps its volume and the
main cut takes the oven spring. Work quickly on well-chilled dough, and practice the pattern on
paper first so your hand knows the motion.
"""),
)

# --------------------------------------------------------------------------------------
# Training for a first marathon
# --------------------------------------------------------------------------------------

conv(
    "marathon-plan",
    RUNNING,
    "First Marathon Training Plan",
    "2025-01-14 06:48",
    user("""
I signed up for my first marathon on October 12. Right now I run about 15-18 miles a week, my
longest run is 7 miles, and I've done a couple of 10Ks. I'm 34 and have no injuries. How should
I structure the year so I'm not just winging it?
"""),
    assistant("""
You have plenty of time, which is the best position to be in. I'd split the year into three
phases:

1. **Base building (now – early June).** Grow weekly mileage gradually to 25–30 miles, almost
   all of it at an easy, conversational effort. Add 4–6 short strides after two runs a week and
   two short strength sessions (squats, lunges, calf raises, core). Every third or fourth week,
   cut mileage back by about 20% to absorb the work.
2. **Marathon block (June 9 – September 21).** A typical 16–18 week plan: one long run that
   builds toward 18–20 miles, one workout (tempo or marathon-pace segments), and the rest easy.
   Peak weeks land around 40–45 miles.
3. **Taper (last 3 weeks).** Reduce volume step by step while keeping a little intensity.

A spring half marathon makes a great checkpoint; it tells you a lot about a realistic
marathon goal. The "10% rule" is a decent guide, not a law: what matters more is not raising
mileage and intensity at the same time.
"""),
    user("Should my goal be a time or just finishing?"),
    assistant("""
For a first marathon I'd make the primary goal finishing healthy and enjoying the last 10K,
and keep a time goal as a secondary target. The marathon punishes early optimism far more than
shorter races, and prediction calculators tend to be too aggressive for first-timers because
they assume you're already trained for the distance.

A practical approach: run your spring half, put the result into a calculator, add 5–10 minutes
for a first marathon, and use that as a "good day" goal. Then set an A goal (that time), a B
goal (finishing strong without walking) and a C goal (finishing).
"""),
    user("""
What kind of strength training? I have a pair of adjustable dumbbells and that's about it.
"""),
    assistant("""
Dumbbells are plenty. Twice a week for 25–30 minutes, on easy days or after an easy run, never
the day before your long run:

- **Goblet squats** or split squats, 3 × 8–10
- **Romanian deadlifts**, 3 × 8–10, for hamstrings and glutes
- **Single-leg calf raises** on a step, 3 × 12–15 each side, slow on the way down
- **Step-ups** onto a sturdy chair or bench, 3 × 8 each leg
- **Side planks and dead bugs** for the trunk, 2–3 rounds

Start lighter than you think, since sore legs will hurt your runs. During the last two to three
weeks before the race, keep one lighter session a week to maintain strength without fatigue.
"""),
    user("how many days a week should I run? I can realistically do 4, maybe 5 in the summer"),
    assistant("""
Four days is enough to run a good marathon. A solid weekly pattern:

- **Long run** on the weekend
- **One quality day** midweek: tempo, intervals, or marathon-pace miles
- **Two easy runs**

When you can add a fifth day in summer, make it another easy run rather than a second hard
one. On non-running days, low-impact cross-training like cycling or swimming builds aerobic
fitness without the pounding, and it's a good home for one of the strength sessions.
"""),
)

conv(
    "easy-pace",
    RUNNING,
    "Easy Pace Feels Too Slow",
    "2025-02-19 18:30",
    edited(
        """
Why do all the plans tell me to run my easy runs so slow? It feels like I'm barely moving.
""",
        """
Easy running is where most of your endurance is built. Slow, conversational running develops
your aerobic system, including more mitochondria and capillaries and better fat use, while
letting your muscles, tendons and bones recover and adapt. If every run is moderately hard you
accumulate fatigue and injury risk without much extra benefit. A common guideline is to run easy
days 60–90 seconds per mile slower than your goal marathon pace.
""",
    ),
    user("""
Why do all the plans tell me to run my easy runs so slow? My 10K pace is about 9:10/mile, and to
keep my heart rate under 150 I have to run 11:45 or even walk up hills. It feels ridiculous. Is
heart rate training worth it or should I just go by feel?
"""),
    assistant("""
That gap is really common when someone starts out, and it mostly means your aerobic base is
still developing; a lot of your 10K fitness is coming from toughness rather than pure
endurance. But a few things suggest 150 may be stricter than it needs to be:

- **Where did 150 come from?** If it's from 220 minus age or a default watch zone, it could be
  off by 10–15 beats in either direction. Max heart rate varies a lot between people.
- **Wrist sensors** are often unreliable, especially early in a run or in cold weather.
- **Heat, caffeine, poor sleep and stress** all raise heart rate at the same pace.

For now I'd combine the two: use perceived effort and the talk test as your main guide (you
should be able to speak in full sentences), and use heart rate as a sanity check that you're not
drifting into moderate effort. With a 9:10 10K pace, easy running somewhere around 10:30–11:30
per mile is reasonable. If you stay consistent, within 8–12 weeks you'll likely see your pace at
the same heart rate come down noticeably.
"""),
    user("""
the talk test thing is helpful. I can talk in full sentences at 10:45 but not really at 10:00
"""),
    assistant("""
Then 10:30–11:15 is a good easy range for you right now, and on hot days or hilly routes it's
fine to drift slower. Keep the 10:00-and-faster running for your workout day, like a tempo run or
marathon-pace miles, where it's supposed to feel purposeful. Separating easy days and hard days
clearly is what makes both of them more effective.
"""),
)

conv(
    "shin-splints",
    RUNNING,
    "Shin Splints After Mileage Increase",
    "2025-03-28 21:05",
    user("""
Went from 20 to 26 miles this week and now the inside of my left shin is sore along a few inches
of bone. It hurts at the start of runs and eases up after a mile or so. Is this shin splints and
can I keep running?
"""),
    assistant("""
I can't diagnose it, but what you describe (diffuse soreness along the inner edge of the shin
that warms up and eases during a run) is typical of medial tibial stress syndrome, commonly
called shin splints. A 30% jump in weekly mileage is a very common trigger.

First, rule out warning signs of a bone stress injury, which needs a doctor and rest:

- pain in one pinpoint spot that hurts when you press it
- pain at rest or at night
- pain when hopping on the affected leg
- pain that gets worse as the run goes on rather than better

If none of those apply, you can usually keep running with changes: cut volume by 30–50% for a
week or two, run on softer surfaces, nudge your cadence up about 5%, and add calf raises
(including slow eccentric ones) and tibialis raises. Build back up more gradually than before.
"""),
    user("""
hopping on one leg is fine, no pain at night. my shoes have like 450 miles on them though
"""),
    assistant("""
That's reassuring. And 450 miles is right in the range where many shoes have lost a good part of
their cushioning, typically somewhere between 300 and 500 miles depending on the shoe and the
runner. Replacing them is a cheap, sensible step. Many runners rotate two pairs so each gets time
to rebound and they don't both wear out at once.

If the soreness isn't clearly improving within two weeks of reduced mileage, or if any of the
warning signs show up, see a sports physio or doctor.
"""),
)

conv(
    "half-pacing-ko",
    RUNNING,
    "하프마라톤 페이스 전략",
    "2025-05-10 08:15",
    user("""
다음 주 일요일에 처음으로 하프마라톤을 뛰어요. 최근 10K 기록은 54분이고,
롱런은 12마일까지 해봤어요. 목표 페이스를 어떻게 잡으면 좋을까요?
"""),
    assistant("""
10K 54분이면 하프마라톤은 대략 2시간 안팎, 1시간 59분에서
2시간 3분 사이가 현실적인 목표예요. 첫 하프라서 조금 보수적으로 잡는 걸
추천드리고요, 그러면 1km당 5분 40초~5분 50초,
마일로는 9분 10초~9분 20초 정도예요.

레이스 운영은 이렇게 해보세요:
- **처음 5km**: 목표 페이스보다 5~10초 느리게. 출발할 때
  분위기에 휩쓸려서 빨리 나가는 게 가장 흔한 실수예요.
- **5km~16km**: 목표 페이스 유지. 숨은 조금 차지만
  짧은 문장으로 말할 수 있는 정도가 좋아요.
- **마지막 5km**: 여유가 있으면 그때 속도를 올리세요.
- 에너지 젤은 45분쯤, 1시간 15분쯤 두 번 먹으면 충분해요.
"""),
    user("""
Thanks! Sorry, switching to English, typing Korean on my phone is slow lol. The course has a long
hill around mile 9, maybe half a mile at 4-5%. Should I try to hold my pace up it?
"""),
    assistant("""
No. Run the hill by effort, not by pace. Holding goal pace up half a mile at 4–5% costs far more
energy than it saves, and you'll pay for it in the last three miles. Aim to keep your breathing
and effort about the same as on the flat, accept losing maybe 15–30 seconds on that mile, and
don't try to win the time back immediately on the way down either. Shorten your stride, keep a
quick cadence, drive with your arms, and look at the top of the hill rather than your feet. Once
you crest it, give yourself a minute to settle before easing back into pace.
"""),
    user("마지막으로 하나만요. 전날 카보로딩을 해야 하나요?"),
    assistant("""
하프마라톤은 본격적인 카보로딩까지는 필요 없어요. 두 시간 정도 달리는
거리라서 전날 평소 식사에서 탄수화물을 조금 늘리는 정도면 충분해요.
전날 저녁은 밥이나 파스타처럼 익숙한 음식으로 드시고, 기름지거나
맵거나 섬유질이 많은 음식은 피하세요. 당일 아침은 출발 2~3시간 전에
바나나, 베이글, 꿀 바른 토스트처럼 소화가 잘 되는 걸 드시면 돼요.
제일 중요한 건 레이스 날 처음 먹어보는 음식은 절대 시도하지 않는 거예요.
"""),
)

conv(
    "gels",
    RUNNING,
    "Fueling with Gels on Long Runs",
    "2025-06-21 07:55",
    user("""
Started doing 14-16 mile long runs and I hit a wall around mile 13 last Saturday: legs went
heavy and I got weirdly grumpy. I only took water. How should I fuel?
"""),
    assistant("""
Heavy legs plus a sudden mood drop is the classic signature of running low on carbohydrate;
your muscle glycogen and blood sugar are dipping, and the brain notices too. On runs longer than
about 75–90 minutes you should take in carbs as you go:

- **Amount:** 30–60 g of carbohydrate per hour, starting around 40–45 minutes in. Most gels are
  20–25 g, so that's roughly one every 30–40 minutes.
- **With water:** take each gel with a few sips of water, not sports drink, so the mix in your
  stomach isn't too concentrated.
- **Before:** eat a carb-based breakfast 2–3 hours before long runs.

Your gut is trainable: practicing fueling on every long run is what makes it work on race day.
"""),
    user("gels make my stomach cramp. alternatives?"),
    assistant("""
Lots of runners have that problem, and there are good options:

- **Chews or blocks**, which you can take one at a time over a few minutes.
- **Real food** like dates, dried mango, or small rice cakes, if you tolerate a bit of chewing.
- **Honey or maple syrup packets**, which are simple and cheap.
- **Sports drink** as your main fuel, sipped steadily, so the carbs arrive gradually.

It's also worth trying a different gel formula. Some use a glucose and fructose blend, which many
people absorb more comfortably, and "isotonic" gels are pre-diluted. Sip a gel over a few
minutes instead of swallowing it all at once, and avoid high-fat or high-fiber food the evening
before long runs.
"""),
    user("What about caffeine gels on race day?"),
    assistant("""
Caffeine does help endurance performance for most people, at roughly 3 mg per kg of body weight.
But it can also upset the stomach or make you jittery, so only use it in the race if you've tried
it on a couple of long runs first. Many runners save the caffeinated gel for the second half,
when fatigue sets in. If you already have coffee in the morning, count that toward the total
rather than stacking several caffeinated gels on top.
"""),
)

conv(
    "summer-heat",
    RUNNING,
    "Running in Summer Heat and Humidity",
    "2025-07-25 05:40",
    user("""
It's 80°F with 85% humidity at 6am here and my easy pace is a full minute slower with my heart
rate through the roof. Am I losing fitness?
"""),
    assistant("""
No, you're running in conditions that make everything harder. In heat and humidity your body
sends more blood to the skin to cool down and sweat can't evaporate well, so heart rate climbs at
any given pace. The dew point is the best single number to watch: above about 65°F most runners
slow down noticeably, and above 70°F a slowdown of 5–10% or more is normal, even for the same
effort.

Running by effort in the heat still builds fitness, and your body adapts within 10–14 days
(more plasma volume, earlier and more dilute sweat). Most runners find that when the weather
cools in September their pace suddenly drops, and all that sticky summer training shows up.
"""),
    user("How much should I be drinking and do I need salt tabs?"),
    assistant("""
It varies a lot between people, so measure it: weigh yourself before and after an hour-long run
without drinking, and each pound lost is roughly 16 oz of sweat. Aim to replace a good part of
that during long runs, not necessarily all of it, and let thirst guide you. Drinking far more
than you sweat carries its own risk, hyponatremia (low blood sodium).

For runs longer than about an hour in the heat, add electrolytes. Many runners do well with
300–600 mg of sodium per hour, more if you're a salty sweater (white streaks on your hat or
shirt). Electrolyte drink mixes or capsules both work.
"""),
    user("is it ok to move my long run to a treadmill in the basement?"),
    assistant("""
Absolutely, it's a smart option on dangerous days. Set the incline to 1% if you like; it slightly
offsets the lack of wind resistance, though the difference is small. Use a fan, practice your race
fueling as you would outside, and break the run into chunks with small pace or incline changes to
fight boredom. Some runners split a long run: the first half outside early, the second on the
treadmill.
"""),
)

conv(
    "carbon-shoes",
    RUNNING,
    "Are Carbon Plate Shoes Worth It",
    "2025-08-16 13:12",
    user("""
Everyone in my running group says I need carbon plated shoes for the marathon. I'll be running
around 4:15-4:30. Is it worth $250 at that pace?
"""),
    assistant("""
They can help, but set expectations. Most of the research on "super shoes" was done with fast
runners, and the benefit seems to come mainly from the foam (light, soft and very bouncy), with
the plate adding stiffness and stability to that foam. Some studies suggest slower runners get a
smaller benefit, and everyone responds differently.

At your pace the biggest potential gain might be less leg fatigue late in the race rather than raw
speed. Downsides: they're expensive, the foam wears out faster, and the high stack can feel
unstable on corners or for runners who need support. Some people get calf or Achilles soreness.

Middle-ground options are "super trainers": plated or plate-free shoes with the same kind of foam
at $160–200 that hold up longer. Whatever you pick, test it on long runs first.
"""),
    user("How many runs should I do in them before race day?"),
    assistant("""
Enough to know how they feel and to catch any rubbing or soreness: two to four runs totaling
roughly 20–40 miles is a good target. Include at least one long run with a few miles at marathon
pace, because that's where hot spots and calf fatigue show up. Don't race in a brand-new pair, but
also don't burn through them: race-day foam tends to lose its bounce after about 200–300 miles.
"""),
)

conv(
    "race-day",
    RUNNING,
    "Marathon Race Day Pacing Plan",
    "2025-10-09 19:40",
    user("""
Race is Sunday. My 20-miler went ok at a 10:10 average, and my half in May was 2:01. Goal is
sub-4:30. How should I pace it and what should I do the last few days?
"""),
    assistant("""
Sub-4:30 means an average of about 10:18 per mile, and your training supports it. A plan:

- **Miles 1–3:** 10:30–10:40. It will feel too easy. That's the point.
- **Miles 4–20:** settle into 10:15–10:20 and keep the effort steady on hills.
- **Mile 20 to the finish:** now you race with whatever you have left.

Fuel every 30–40 minutes starting around 40 minutes in, exactly as you practiced, and take water
at most aid stations.

The last few days: sleep well on Thursday and Friday (Saturday night's sleep matters less than
you think), eat more carbohydrate than usual on Friday and Saturday, lay out your gear and pin
your bib the night before, and do a short 15–20 minute shakeout on Saturday. Nothing new: no new
shoes, breakfast or gels. Phantom aches and restlessness during the taper are completely normal.
"""),
    user("what if I feel amazing at mile 13, can I speed up?"),
    assistant("""
Feeling amazing at mile 13 is exactly what a well-paced marathon feels like, and it's a trap.
The hard part of a marathon starts around miles 18–22, when glycogen runs low and your legs
are tired. Time "banked" in the middle usually gets paid back with interest later. Hold the
plan until mile 20; if you still feel strong there, drop to 10:00 or faster and reel people in.
That's the most fun way to finish a marathon.
"""),
    user("Should I wear a watch with GPS pace or just go by the pace group?"),
    assistant("""
Use both, but trust neither blindly. GPS drifts among tall buildings and under bridges, and since
you won't run perfect tangents your watch will read long, so it will say you're on pace when
you're actually a bit behind. Press the lap button at each mile marker and look at the split
instead of instant pace.

A 4:30 pace group is great for company and rhythm, but pacers sometimes bunch up around aid
stations or go out fast. Tuck in with them, keep an eye on your splits, and feel free to let them
go if they run faster than your plan.
"""),
)

conv(
    "marathon-recovery",
    RUNNING,
    "Recovery After First Marathon",
    "2025-10-14 12:30",
    user("""
I finished!! 4:24:51. Now I can barely walk down stairs. How long until I can run again and when
can I start thinking about the next one?
"""),
    assistant("""
Congratulations! Sub-4:30 on your first try is a great result.

The stair soreness is delayed-onset muscle soreness from all the eccentric loading, and it usually
peaks 24–72 hours after the race. For the first week: walk, do some easy spinning on a bike if it
feels good, sleep a lot, and eat enough protein and carbohydrate. Once stairs feel normal,
usually after 5–7 days, try a few short, very easy runs.

A common rule of thumb is roughly one easy day per mile raced before hard workouts or racing
again, so about three to four weeks. Build back over a few weeks, and if you want another
marathon, a new 12–16 week block can start once you feel fully recovered. Write down what
worked and what didn't while it's fresh.
"""),
    user("Is the post-race blues thing real? I feel weirdly flat"),
    assistant("""
Very real and very common. For months the race gave your weeks structure and purpose, and
finishing leaves a gap, on top of the physical fatigue and the drop after a big adrenaline peak.
Things that help: enjoy a few relaxed social runs without a watch, pick a small, fun next goal
(a turkey trot, a trail run) rather than rushing into another big one, and give yourself credit
for what you did. If the low mood lingers for weeks or feels heavier than a letdown, talk to
someone you trust or a professional.
"""),
)

conv(
    "treadmill-winter",
    RUNNING,
    "Winter Base Building on the Treadmill",
    "2026-02-08 18:00",
    user("""
Planning a spring half and maybe a fall marathon again. It's 12°F outside most mornings so I'm
stuck on the treadmill. How do I keep treadmill runs from being soul-crushing and still build
mileage?
"""),
    assistant("""
Give each treadmill run a small structure so the time passes in chunks:

- **Progression runs:** start easy and speed up by a few seconds per mile every 10 minutes.
- **Incline fartlek:** alternate 3 minutes flat with 2 minutes at 3–5% incline, at easy effort.
- **Strides:** finish two runs a week with 6 × 20 seconds quick, with full recovery.
- **Save entertainment** for the runs that need it: a podcast only on the treadmill, or a show
  you only let yourself watch while running.

For volume, building to 30–35 miles a week by the end of winter gives you a strong base for a
spring half. When the weekend forecast is bearable, take the long run outside, which breaks up
the monotony and keeps your legs used to real roads.
"""),
    user("what should I wear for a weekend long run at 15°F?"),
    assistant("""
Dress as if it were about 15–20°F warmer than it is, because you'll heat up quickly:

- a moisture-wicking base layer and a light wind-resistant jacket
- thermal tights, and windproof briefs are worth it in that cold
- a hat or headband plus a buff you can pull over your face
- mittens, or liner gloves under mittens, since fingers get cold first

Start the run into the wind so it's at your back on the way home when you're sweaty. Keep gels in
an inside pocket so they don't freeze, and use an insulated bottle or put water in a vest close to
your body. Change out of damp clothes quickly when you finish.
"""),
)

# --------------------------------------------------------------------------------------
# Learning Rust
# --------------------------------------------------------------------------------------

conv(
    "rust-ownership",
    RUST,
    "Rust Ownership vs Borrowing Basics",
    "2025-01-22 22:10",
    user("""
I'm coming from Python and TypeScript. Can you explain Rust ownership like I'm a working
programmer, not a CS student? I keep hearing "move semantics" and my eyes glaze over.
"""),
    assistant("""
Sure. In Python every variable is a reference to an object, and a garbage collector frees objects
once nothing refers to them. Rust has no garbage collector, so the compiler has to know at compile
time who is responsible for freeing each value. That's all ownership is:

1. Every value has exactly one owner (a variable, a struct field, a collection).
2. When the owner goes out of scope, the value is dropped (freed).
3. Assigning or passing a value **moves** it to a new owner unless you borrow it.

Borrowing is how you let code use a value without taking responsibility for it: `&T` is a shared
borrow (many readers at once) and `&mut T` is an exclusive one (one writer, no readers).

```rust
fn main() {
    let name = String::from("Ferris");
    let greeting = name; // ownership moves to `greeting`
    // println!("{name}"); // error[E0382]: borrow of moved value: `name`
    println!("{greeting}");

    let len = count_chars(&greeting); // lend it out, keep ownership
    println!("{greeting} has {len} chars");
}

fn count_chars(s: &str) -> usize {
    s.chars().count()
}
```

After the move, `name` simply isn't usable any more. That's how Rust guarantees the string is
freed exactly once.
"""),
    user("so why do integers not get moved? `let a = 5; let b = a;` works fine"),
    assistant("""
Because `i32` implements the `Copy` trait. Types whose value is just a few bytes with nothing to
clean up (integers, floats, `bool`, `char`, and tuples or arrays of those) are copied bit for bit
on assignment, and both variables stay valid.

A `String` is different: it's a pointer to a heap buffer plus a length and capacity. Copying
those bits would give you two owners of the same buffer, and both would try to free it when
they go out of scope (a double free). So Rust moves it instead. If you really want two
independent strings, you ask for it explicitly with `.clone()`, which allocates a new buffer.
"""),
    user("""
ok that clicks. When should I just .clone() to make the compiler happy? feels like cheating
"""),
    user("""
What about structs? If I have a `Vec<String>` and do `let first = names[0];` it yells at me.
"""),
    assistant("""
Right: indexing gives you a place inside the vector, and `let first = names[0];` would try to move
the `String` out of it, leaving a hole that the `Vec` would still try to free later. Rust forbids
that ("cannot move out of index of `Vec<String>`"). You have a few choices depending on intent:

```rust
let names = vec![String::from("ada"), String::from("grace")];

let first: &String = &names[0]; // borrow it (most common)
let copy: String = names[0].clone(); // an independent copy
let maybe: Option<&String> = names.first(); // no panic on an empty vector

let mut names = names;
let taken: String = names.swap_remove(0); // really take it out of the vector
```

Same idea for struct fields: you can borrow a field through `&self`, but moving it out of a
borrowed struct isn't allowed, because the struct would be left half-empty.
"""),
    user("""
and `std::mem::take`? saw that in someone's code
"""),
    assistant("""
`std::mem::take(&mut x)` moves the value out and leaves `Default::default()` in its place, such as
an empty `String` or an empty `Vec`. It's the clean way to take ownership of a field when you only
have `&mut self`, for example to hand a buffer off and start a fresh one:

```rust
struct Batcher {
    pending: Vec<String>,
}

impl Batcher {
    fn flush(&mut self) -> Vec<String> {
        std::mem::take(&mut self.pending) // self.pending is now an empty Vec
    }
}
```

Its relatives are `std::mem::replace`, which puts a value you choose in its place, and
`Option::take`, which leaves `None` behind.
"""),
    assistant("""
It's not cheating, it's a trade-off. Cloning is perfectly fine for small values, for data that
crosses a boundary (handing config to a thread, building a response), and while you're learning
and want working code before perfect code.

It becomes a smell when you clone large structures in a hot loop, or when you clone to silence
a borrow error that's telling you something about your design, such as trying to mutate a
collection while something else is still reading it. In those cases, restructure: borrow for a
shorter scope, pass references into functions, or use `Rc`/`Arc` for shared ownership. When in
doubt, write the clone, add a comment, and profile later.
"""),
)

conv(
    "borrow-loop",
    RUST,
    "Borrow Checker Error in Loop",
    "2025-02-25 23:44",
    user("""
Getting error[E0502]: cannot borrow `tasks` as mutable because it is also borrowed as immutable.
Code:

```rust
for task in tasks.iter() {
    if task.is_done() {
        tasks.retain(|t| t.id != task.id);
    }
}
```

I just want to remove finished tasks.
"""),
    assistant("""
The loop holds a shared borrow of `tasks` for as long as the iterator lives, and `retain` needs
an exclusive borrow to modify the vector. If Rust allowed it, `retain` could shift elements
around while the iterator is still walking over them, which is the same bug that makes Python
skip items when you delete from a list during a `for` loop. Rust just catches it at compile time.

The good news is that `retain` already does the whole loop for you:

```rust
tasks.retain(|t| !t.is_done());
```

If you need the finished tasks as well, split the vector into two:

```rust
let (done, pending): (Vec<Task>, Vec<Task>) =
    tasks.into_iter().partition(|t| t.is_done());
tasks = pending;
```

There's also `Vec::extract_if`, which removes matching elements and hands them to you, but it's
still unstable at the moment.
"""),
    user("what if I need to collect the ids of the removed ones for logging?"),
    assistant("""
You can do it inside the `retain` closure. The closure borrows `removed_ids` mutably, which is
fine because it's a different variable from `tasks`:

```rust
let mut removed_ids = Vec::new();
tasks.retain(|t| {
    if t.is_done() {
        removed_ids.push(t.id);
        false // drop it
    } else {
        true // keep it
    }
});
log::info!("removed {} finished tasks: {:?}", removed_ids.len(), removed_ids);
```

This is still a single pass over the vector with no extra allocation for the tasks themselves.
"""),
)

conv(
    "lifetimes-struct",
    RUST,
    "Lifetimes in a Struct Holding &str",
    "2025-04-03 21:18",
    user("""
I'm writing a tokenizer and want a struct that holds a slice of the input instead of copying it.
The compiler says "missing lifetime specifier". What does `'a` actually mean here?
"""),
    assistant("""
A struct that holds a reference has to say how long that reference stays valid, so the compiler
can check that the struct never outlives the data it points into. The lifetime parameter is just
a name for "however long the input lives":

```rust
#[derive(Debug, Clone, Copy, PartialEq)]
enum TokenKind {
    Ident,
    Number,
    Symbol,
}

#[derive(Debug)]
struct Token<'a> {
    kind: TokenKind,
    text: &'a str,
}

struct Lexer<'a> {
    input: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    fn new(input: &'a str) -> Self {
        Lexer { input, pos: 0 }
    }

    fn next_token(&mut self) -> Option<Token<'a>> {
        let input = self.input; // copy the &'a str so the slices borrow the input, not self
        let rest = &input[self.pos..];
        let start = rest.find(|c: char| !c.is_whitespace())?;
        let rest = &rest[start..];
        let len = rest
            .find(|c: char| c.is_whitespace())
            .unwrap_or(rest.len());
        self.pos += start + len;
        let text = &rest[..len];
        let kind = if text.chars().all(|c| c.is_ascii_digit()) {
            TokenKind::Number
        } else if text.chars().all(char::is_alphanumeric) {
            TokenKind::Ident
        } else {
            TokenKind::Symbol
        };
        Some(Token { kind, text })
    }
}
```

Two things to notice. The annotation doesn't make anything live longer; it only describes a
relationship that the compiler then checks. And `next_token` returns `Token<'a>`, tied to the
input, not to `&mut self`. That's what lets you keep tokens around after the lexer is done.
"""),
    user("""
what if I read the file inside a function and return the tokens? it says "returns a value
referencing data owned by the current function"
"""),
    assistant("""
The `String` you read the file into is owned by that function and gets dropped when it returns,
so tokens pointing into it would dangle. Rust refuses to compile that. Your options:

- **Let the caller own the source.** Read the file in the caller, keep the `String` alive there,
  and pass `&str` into the tokenizer. This is the simplest and most common fix.
- **Return owned tokens** (`String` instead of `&str`), which costs an allocation per token.
- **Store byte spans** instead of slices: `start` and `end` offsets into the source.

Trying to return both the `String` and tokens borrowing from it in one struct runs into the
"self-referential struct" problem, which safe Rust doesn't support directly, so avoid that path.
"""),
    user("byte spans sounds clean. any downside?"),
    assistant("""
It's what many real compilers and parsers do. A `Span { start: u32, end: u32 }` is `Copy`, tiny,
has no lifetimes, and makes error messages with line and column numbers easy to produce. The
downsides: you need the source text at hand whenever you want the token's actual text, and if
you ever work with several files, a span from one file can silently be used with another. Adding
a file id to the span, or keeping a source map, solves that.
"""),
    model="o3-mini",
)

conv(
    "string-vs-str",
    RUST,
    "String vs &str Function Parameters",
    "2025-05-02 20:02",
    user("""
Should my function signatures take String, &str, &String, or impl AsRef<str>? I see all four in
crates and I'm not sure when each is right.
"""),
    assistant("""
A rule of thumb that covers most cases:

- **`&str`** when the function only reads the text. It accepts string literals, `&String` (by
  auto-deref) and slices of larger strings, so it's the most flexible default.
- **`String`** when the function needs to own the text, typically to store it in a struct or send
  it to another thread. Taking ownership lets the caller hand over a string they no longer need
  without a copy.
- **`&String`** almost never. It's strictly less flexible than `&str`, and Clippy will flag it.
- **`impl AsRef<str>` or `impl Into<String>`** for ergonomic public APIs. `Into<String>` is
  especially nice for constructors:

```rust
struct User {
    name: String,
}

impl User {
    fn new(name: impl Into<String>) -> Self {
        Self { name: name.into() }
    }
}

fn shout(s: &str) -> String {
    s.to_uppercase()
}

fn main() {
    let a = User::new("ada"); // &str, converted once
    let b = User::new(String::from("grace")); // String, moved without a copy
    println!("{} {}", shout(&a.name), shout(&b.name));
}
```

Generic parameters do add a little compile time and code size, so use them where the ergonomics
pay off rather than everywhere.
"""),
    user("and what about returning? -> &str vs -> String"),
    assistant("""
Return `&str` only when you're handing back a view into something that already exists, such as
a field of `self` or part of an input argument. If the function builds new text, return
`String`. There's a useful middle ground, `Cow<'_, str>`, for functions that usually return the
input unchanged but sometimes need to modify it, like escaping or normalization: you only
allocate in the cases that actually change something.
"""),
)

conv(
    "tokio-static",
    RUST,
    "Tokio Spawn Requires 'static",
    "2025-06-14 15:33",
    user("""
tokio::spawn complains "borrowed value does not live long enough ... argument requires that
`config` is borrowed for `'static`". I'm passing &config into the async block. Why does spawn
need 'static?
"""),
    assistant("""
Because a spawned task is independent of the function that spawned it. The runtime may keep
running it after your function has returned, and the compiler can't prove that `config` will
still exist by then. So everything a spawned task captures must be owned by the task or live for
the whole program, which is what the `'static` bound expresses.

The usual fix is to put shared data in an `Arc` and give each task its own handle:

```rust
use std::sync::Arc;

let config = Arc::new(load_config()?);
let mut handles = Vec::new();

for url in urls {
    let config = Arc::clone(&config);
    handles.push(tokio::spawn(async move { fetch(&config, &url).await }));
}

for handle in handles {
    let result = handle.await?; // a JoinError means the task panicked
    println!("{result:?}");
}
```

`Arc::clone` only bumps a reference count, so it's cheap.
"""),
    user("would JoinSet change anything about the 'static requirement?"),
    assistant("""
No, `JoinSet::spawn` has the same `'static` bound, because the tasks are still spawned onto the
runtime. What it gives you is a nicer API: `join_next()` returns results as tasks finish, and
dropping the set aborts anything still running. For limiting how many requests run at once,
you'd combine it with a `Semaphore`, or use a stream with `buffer_unordered`.
"""),
    user("buffer_unordered sounds like what I want, I have like 2000 urls"),
    assistant("""
Good choice, and there's a bonus: `buffer_unordered` polls the futures inside your current
task instead of spawning new ones, so the `'static` requirement disappears and you can borrow
`config` directly:

```rust
use futures::stream::{self, StreamExt};

let config = load_config()?;
let results: Vec<_> = stream::iter(&urls)
    .map(|url| fetch(&config, url))
    .buffer_unordered(32) // at most 32 requests in flight
    .collect()
    .await;
```

All of this runs on one task, which is ideal for I/O-bound work like HTTP requests. If each
response also needs heavy CPU work, hand that part to `spawn_blocking` or a thread pool.
"""),
)

conv(
    "graph-rc-refcell",
    RUST,
    "Rc RefCell vs Arena Graph",
    "2025-07-30 22:25",
    user("""
Building a small graph (nodes with neighbor lists) and I keep ending up with Rc<RefCell<Node>>
everywhere. It works but feels gross. Is there a better pattern?
"""),
    assistant("""
Your instinct is right. `Rc<RefCell<Node>>` graphs fight the language: every access needs a
runtime borrow check, cycles leak memory unless you use `Weak` for back edges, and a misplaced
`borrow_mut` panics at runtime. The idiomatic alternative is an **arena with indices**: store all
nodes in a `Vec` and refer to them by position.

```rust
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct NodeId(usize);

struct Node {
    label: String,
    neighbors: Vec<NodeId>,
}

#[derive(Default)]
struct Graph {
    nodes: Vec<Node>,
}

impl Graph {
    fn add_node(&mut self, label: &str) -> NodeId {
        self.nodes.push(Node { label: label.to_owned(), neighbors: Vec::new() });
        NodeId(self.nodes.len() - 1)
    }

    fn add_edge(&mut self, a: NodeId, b: NodeId) {
        self.nodes[a.0].neighbors.push(b);
        self.nodes[b.0].neighbors.push(a);
    }

    fn label(&self, id: NodeId) -> &str {
        &self.nodes[id.0].label
    }
}
```

The graph owns everything, `NodeId` is `Copy`, and you borrow the graph as a whole instead of
juggling borrows per node. If you want batteries included, `petgraph` does exactly this.
"""),
    user("what happens with deletions though? indices shift"),
    assistant("""
You don't remove from the `Vec`. Common approaches:

- **Tombstones:** store `Option<Node>` and set a slot to `None`, keeping a free list of empty
  slots to reuse.
- **Generational indices:** each slot has a generation counter, and an id is `(index,
  generation)`. When a slot is reused, its generation increases, so old ids are detected as
  stale instead of silently pointing at a different node. The `slotmap` crate implements this.
- **petgraph's `StableGraph`**, which keeps indices stable across removals.
"""),
    user("And if I later want to share the graph across threads?"),
    assistant("""
The index-based graph is `Send` and `Sync` as long as its contents are, so sharing is easy. If
it's read-mostly, build it and wrap it in `Arc<Graph>` so every thread reads the same immutable
snapshot. If you need occasional writes, `Arc<RwLock<Graph>>` is simple and usually fast
enough. Fine-grained locking per node is rarely worth the complexity; that's where the
`Rc<RefCell<...>>` design would have pushed you toward `Arc<Mutex<...>>` everywhere.
"""),
    model="o3",
)

conv(
    "thiserror-anyhow",
    RUST,
    "Error Handling with thiserror and anyhow",
    "2025-09-06 16:40",
    user("""
I have a library crate and a binary crate. When do I use thiserror vs anyhow? I've seen people
say "thiserror for libraries, anyhow for apps" but not why.
"""),
    assistant("""
The difference is who consumes the error. Callers of a **library** may need to react to
specific failures, so they need a typed error they can `match` on; `thiserror` derives the
boilerplate for such an enum. An **application** mostly just reports errors to a human, so it
wants one easy error type that can wrap anything and carry context; that's `anyhow::Error`.

```rust
// in the library crate
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("unexpected token {found:?} at byte {pos}")]
    Unexpected { found: String, pos: usize },
    #[error("input ended early")]
    Eof,
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

// in the binary crate
use anyhow::Context;

fn main() -> anyhow::Result<()> {
    let path = std::env::args().nth(1).context("usage: tool <file>")?;
    let src = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    let ast = mylib::parse(&src).context("parsing input")?;
    println!("{ast:#?}");
    Ok(())
}
```

When this fails the user sees a chain like `parsing input: unexpected token "}" at byte 412`,
while library users can still match on `ParseError::Eof`.
"""),
    user("Is Box<dyn Error> ok instead of anyhow for a small tool?"),
    assistant("""
Yes. `Result<(), Box<dyn std::error::Error + Send + Sync>>` works fine and `?` converts most
errors into it automatically. What `anyhow` adds is convenience: `.context()` for readable
error chains, backtraces, and easy downcasting. For a 200-line script, `Box<dyn Error>` is
perfectly reasonable; once you catch yourself writing `map_err(|e| format!(...))` a lot, switch.
"""),
    user("how do I keep my error enum from growing to 30 variants?"),
    assistant("""
Design variants around what callers will do, not around every place something can fail. If two
failures get handled the same way, they can share a variant. Some patterns:

- Split errors per module or per operation (`ParseError`, `ConfigError`) instead of one crate-wide
  enum.
- Use a struct with a small `kind` enum plus a boxed `source` for the details.
- Mark public enums `#[non_exhaustive]` so you can add variants later without a breaking change.
"""),
    model="gpt-5-thinking",
)

conv(
    "async-trait",
    RUST,
    "Async Trait Methods and dyn",
    "2025-10-15 21:55",
    user("""
Rust 1.75 stabilized async fn in traits, so do I still need the async-trait crate? My trait is
used as Box<dyn Storage>.
"""),
    assistant("""
For `dyn`, yes, you still need something extra. Native `async fn` in a trait returns an anonymous
future type whose size differs per implementation, so the trait isn't dyn-compatible (object
safe) and can't be used as `Box<dyn Storage>`. The `async-trait` crate solves that by rewriting
each method to return a boxed future. You can also write the boxing yourself:

```rust
use std::future::Future;
use std::pin::Pin;

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

trait Storage: Send + Sync {
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Option<Vec<u8>>>;
}

struct MemStore {
    data: std::collections::HashMap<String, Vec<u8>>,
}

impl Storage for MemStore {
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Option<Vec<u8>>> {
        Box::pin(async move { self.data.get(key).cloned() })
    }
}
```

If you only use the trait with generics (`fn run<S: Storage>(s: &S)`), the native syntax is the
better choice. Another wrinkle is `Send`: native async trait methods don't promise a `Send`
future, which matters with `tokio::spawn`; the `trait-variant` crate can generate a `Send`
version for you.
"""),
    user("""
Is the boxing overhead something I should worry about for a storage layer doing network calls?
"""),
    assistant("""
No. Boxing costs one small heap allocation per call, tens of nanoseconds, and a network
round-trip costs milliseconds. It only shows up in profiles for very hot, in-memory paths called
millions of times per second. For a storage layer, pick whatever keeps the code clearest.
"""),
)

conv(
    "iterators-vs-loops",
    RUST,
    "Iterator Chains vs For Loops",
    "2025-12-06 14:10",
    user("""
Are iterator chains like .iter().filter().map().sum() actually as fast as a for loop or is that a
myth? A coworker refuses to use them in hot code.
"""),
    assistant("""
In optimized builds they're usually the same speed, and sometimes faster. Iterator adapters are
generic structs that the compiler monomorphizes and inlines, so a chain typically compiles to
the same loop you'd write by hand. Iterators can even help, because they let the compiler skip
bounds checks that indexing (`v[i]`) would need, which also makes auto-vectorization easier.

```rust
// these two compile to essentially the same machine code with --release
fn sum_even_squares(v: &[u64]) -> u64 {
    v.iter().filter(|&&x| x % 2 == 0).map(|&x| x * x).sum()
}

fn sum_even_squares_loop(v: &[u64]) -> u64 {
    let mut total = 0;
    for &x in v {
        if x % 2 == 0 {
            total += x * x;
        }
    }
    total
}
```

Where the myth comes from: debug builds, where iterator code really is much slower because
nothing is inlined, and some complex adapters such as `chain` or deeply nested `flat_map` that
can produce less optimal loops. The honest answer for hot code is to measure: benchmark with
`criterion` and look at the generated assembly with `cargo-show-asm` or Compiler Explorer.
"""),
    user("what about collecting into a Vec in the middle of a chain? he does that a lot"),
    assistant("""
That's a real cost and worth pointing out in review: each intermediate `collect()` allocates a
vector and walks the data an extra time, whereas the rest of the chain is lazy and fuses into one
pass. Keep chains lazy until the final consumer. There are legitimate reasons to collect midway:
you need to iterate the results twice, sort them, or end a borrow before mutating the source.
When you do, `collect` uses the iterator's size hint to allocate once, which is as good as
`Vec::with_capacity`.
"""),
    model="gpt-5-thinking",
)

conv(
    "cargo-workspace",
    RUST,
    "Cargo Workspace for a CLI Tool",
    "2026-01-27 20:45",
    user("""
My CLI project has grown to ~6k lines in one crate. Thinking of splitting it into a workspace:
core library, CLI, and maybe a small server later. How should I lay it out and share dependency
versions?
"""),
    assistant("""
A common layout puts the member crates under `crates/` with a virtual manifest at the root:

```text
mytool/
├── Cargo.toml          # workspace root, no [package]
├── Cargo.lock
└── crates/
    ├── mytool-core/    # library: parsing, logic, no I/O policy
    ├── mytool-cli/     # binary: argument parsing, output formatting
    └── mytool-server/  # later
```

The root manifest declares members and shared settings once:

```toml
[workspace]
resolver = "3"
members = ["crates/*"]

[workspace.package]
edition = "2024"
version = "0.4.0"
license = "MIT"

[workspace.dependencies]
serde = { version = "1", features = ["derive"] }
tokio = { version = "1", features = ["rt-multi-thread", "macros"] }
mytool-core = { path = "crates/mytool-core" }
```

Each member then inherits with `edition.workspace = true` and `serde = { workspace = true }`.
All members share one `Cargo.lock` and one `target/` directory, so versions can't drift apart.
"""),
    user("does splitting actually speed up compile times?"),
    assistant("""
Often, yes. The crate is Rust's unit of parallel and incremental compilation. If you change only
the CLI, `mytool-core` isn't rebuilt, and independent crates compile in parallel. Two caveats:
generic code is instantiated in the crate that uses it, so heavily generic core code still gets
compiled downstream; and dozens of tiny crates add their own overhead. Three to five crates with
clear boundaries is a sweet spot for a project your size.
"""),
    user("and should the core crate be published to crates.io or can it stay internal?"),
    assistant("""
It can stay internal. Add `publish = false` to its `[package]` section and depend on it by path,
as in the workspace dependency above. Path dependencies don't need a version unless you publish
the crate that depends on them. If you ever want to publish the CLI, you'd have to publish the core
crate too, or fold it back in, so keep that in mind when choosing names.
"""),
)

# --------------------------------------------------------------------------------------
# Planning a two-week trip to Japan
# --------------------------------------------------------------------------------------

conv(
    "japan-itinerary",
    JAPAN,
    "Two Week Japan Itinerary Draft",
    "2025-02-09 13:25",
    user("""
My partner and I are going to Japan for two weeks in mid-November, first time for both of us. We
like food, wandering around neighborhoods, some temples, not big on nightlife. Rough idea is
Tokyo, Kyoto, Osaka. Can you sketch an itinerary that isn't exhausting?
"""),
    assistant("""
Mid-November is a lovely time to go: mild weather and autumn colors arriving in Kyoto. Here's a
relaxed 14-night outline with only four hotel changes:

- **Tokyo, 5 nights.** Old-town streets in Yanaka and Asakusa, the backstreets of Shimokitazawa,
  Kiyosumi's gardens and coffee shops, depachika food halls, one day trip to Kamakura or Nikko.
- **Hakone, 1 night.** A ryokan with an onsen and kaiseki dinner; views of Fuji if you're lucky.
- **Kyoto, 5 nights.** Temples early in the morning before crowds, Nishiki Market, a day in
  Arashiyama, and a half-day trip to Nara.
- **Osaka, 2 nights.** Street food in Dotonbori and Kuromon Market, a relaxed last day before
  flying home.

Book an open-jaw ticket, arriving in Tokyo and departing from Osaka (KIX), so you never have to
backtrack. With this pace you'll have afternoons free to wander, which is often the best part.
"""),
    user("Should we add Kanazawa or Hiroshima or is that too much?"),
    assistant("""
You can fit one of them without it feeling rushed, but I wouldn't add both.

- **Hiroshima** (with Miyajima) is easy: the Shinkansen from Kyoto or Osaka takes about 1.5–2
  hours. It works as a very long day trip, but an overnight on Miyajima island after the day
  visitors leave is special.
- **Kanazawa** is a gem (Kenroku-en garden, the geisha district, the fish market) but it's off
  the main line. From Tokyo it's an easy Hokuriku Shinkansen ride, but continuing to Kyoto now
  means a transfer at Tsuruga, so it costs more travel time.

Given your route, Hiroshima fits more naturally. Take a night from Kyoto and put it there.
"""),
    user("""
Rough daily budget for two people, not counting hotels? We don't need fancy, but we want to eat
well.
"""),
    assistant("""
Japan is very good value for food right now. For two people, a comfortable middle-of-the-road
budget looks something like:

- **Breakfast:** ¥1,000–2,000 (a bakery or convenience store, or a cafe's morning set)
- **Lunch:** ¥2,000–4,000 (ramen, soba, curry and lunch sets are excellent and cheap)
- **Dinner:** ¥6,000–12,000 (izakaya, yakitori, okonomiyaki; a special dinner can be far more)
- **Local transport:** ¥1,500–2,500
- **Sights, snacks and coffee:** ¥3,000–5,000

That's roughly ¥15,000–25,000 a day for the two of you, plus the long-distance trains and the
Hakone ryokan, where dinner and breakfast are usually included in the room price. Cash is still
handy for small restaurants and temples, though cards work in more places every year.
"""),
    user("Hiroshima as an overnight then. Can you redo the day list?"),
    assistant("""
Here's the revised version:

- **Day 1:** Arrive at Haneda in the evening, check in, ramen near the hotel.
- **Days 2–5:** Tokyo. One day each for the east side (Asakusa, Yanaka, Ueno), the west side
  (Shimokitazawa, Nakameguro), and central Tokyo and Kiyosumi, plus a Kamakura day trip.
- **Day 6:** Train to Hakone, afternoon at the ryokan and onsen.
- **Day 7:** Hakone loop in the morning, then on to Kyoto in the afternoon.
- **Days 8–11:** Kyoto, including Arashiyama early one morning and a half day in Nara.
- **Day 12:** Hiroshima: Peace Memorial Park and museum, then the ferry to Miyajima for the night.
- **Day 13:** Itsukushima Shrine at dawn, train to Osaka in the afternoon, dinner in Dotonbori.
- **Day 14:** Kuromon Market and a lazy morning, then the train to KIX.

Send your big suitcases ahead with a luggage forwarding service from Tokyo to Kyoto, so you
only carry small bags for Hakone.
"""),
)

conv(
    "jr-pass",
    JAPAN,
    "Is the JR Pass Still Worth It",
    "2025-03-05 12:10",
    user("""
Is the nationwide JR Pass still worth it for our route? Tokyo → Hakone → Kyoto → Hiroshima →
Osaka over 14 days. I heard the price went up a lot.
"""),
    call(
        'search("Japan Rail Pass 14 day price 2025 vs individual shinkansen tickets '
        'Tokyo Kyoto Hiroshima Osaka")'
    ),
    tool(
        """
【0†Japan Rail Pass prices from October 2023†jrpass-info.example】
Ordinary car: 7 days ¥50,000, 14 days ¥80,000, 21 days ¥100,000. Green car: 7 days ¥70,000,
14 days ¥110,000, 21 days ¥140,000. Since the revision, Nozomi and Mizuho trains can be used
with an extra supplement ticket.

【1†Shinkansen fares between major cities†rail-fares.example】
Tokyo–Odawara (Kodama, unreserved): about ¥3,300. Odawara–Kyoto (Hikari, reserved): about
¥11,000. Kyoto–Hiroshima (Nozomi, reserved): about ¥11,600. Hiroshima–Shin-Osaka (Nozomi,
reserved): about ¥10,600.

【2†Getting to Hakone from Tokyo†hakone-travel.example】
Most visitors take the Odakyu Romancecar from Shinjuku or the Shinkansen to Odawara. The
railways, buses, boats and ropeway inside Hakone are not run by JR and are not covered by the
Japan Rail Pass.

【3†Is the JR Pass still worth it? A fare comparison†travel-notes.example】
After the 2023 price rise, the 7-day pass roughly breaks even only for a Tokyo–Kyoto–Tokyo
round trip plus another long journey. One-way itineraries that end in Osaka usually come out
cheaper with individual tickets.
""",
        [
            (0, "Japan Rail Pass prices from October 2023", "https://jrpass-info.example/prices"),
            (1, "Shinkansen fares between major cities", "https://rail-fares.example/shinkansen"),
            (2, "Getting to Hakone from Tokyo", "https://hakone-travel.example/access"),
            (3, "Is the JR Pass still worth it?", "https://travel-notes.example/jr-pass-2025"),
        ],
    ),
    assistant("""
For your route, no. Buying individual tickets will be much cheaper.

Since the October 2023 price increase, the 14-day ordinary pass costs ¥80,000 and the 7-day
pass ¥50,000【0†source】. Your long-distance legs are all one-way, and added up they come to
roughly ¥36,500 per person: about ¥3,300 to Odawara, ¥11,000 from Odawara to Kyoto, ¥11,600 from
Kyoto to Hiroshima and ¥10,600 from Hiroshima to Osaka【1†source】. On top of that, everything
inside Hakone is run by private companies, so the pass wouldn't cover it anyway【2†source】.
This matches the general pattern that one-way trips ending in Osaka rarely justify the pass
any more【3†source】.

What I'd do instead:

- Buy Shinkansen tickets as you go, or reserve them a few days ahead in the smartEX app.
- Use an IC card (Suica or ICOCA) for subways and local trains.
- For Hakone, look at the Hakone Freepass, which covers the local trains, buses, boat and ropeway.
"""),
    user("""
So individual tickets then. Do we need to reserve Shinkansen seats far in advance in November?
"""),
    assistant("""
Usually not. Outside the big holiday periods (New Year, Golden Week in early May, and Obon in
mid-August) you can normally get reserved seats the same day or a day ahead. November weekends in
Kyoto are busy with autumn-leaf visitors, though, so for your Kyoto and Hiroshima legs I'd book a
day or two in advance to get seats together.

Two details worth knowing: on the Tokaido line, heading from Tokyo toward Kyoto, Mount Fuji
appears on the right side, which is seat E in ordinary cars. And if your suitcase's length,
width and height add up to more than 160 cm, you need to reserve a seat with an oversized luggage
area, or you'll pay a fee on board.
"""),
)

conv(
    "tokyo-neighborhood",
    JAPAN,
    "Best Tokyo Neighborhood to Stay In",
    "2025-04-12 11:40",
    user("""
For 5 nights in Tokyo, where should we stay? Budget around $180-220 a night for a double. We
want walkable streets, good food nearby and easy access to trains, but not the Shinjuku chaos.
"""),
    assistant("""
A few areas fit that well:

- **Ningyocho / Nihonbashi:** central, quiet, full of old family-run restaurants and sweet shops,
  and close to Tokyo Station for the Shinkansen. It's my top pick for first-timers who don't
  want neon.
- **Asakusa / Kuramae:** old-town atmosphere, great value hotels, craft shops and cafes in
  Kuramae, and a direct train to Narita airport. It's a bit farther from the west side.
- **Ebisu / Nakameguro:** excellent restaurants and a relaxed, grown-up feel, on the Yamanote
  line. Rooms cost more for the same size.
- **Kagurazaka:** cobbled lanes and a French-Japanese food scene, very central, fewer hotels.

Your budget gets a comfortable business or boutique hotel in any of them. Rooms are small by US
standards, so check the square meters, and aim for 18 m² or more for two people with luggage.
"""),
    user("We land at Haneda around 9pm. Which of those is easiest to reach that late?"),
    assistant("""
Ningyocho is the easiest. The Keikyu line from Haneda runs through onto the Toei Asakusa line,
so many trains go straight to Ningyocho in about 35 minutes with no transfer, and they run until
close to midnight. Asakusa is on the same line, also without a transfer.

Ebisu takes a change to the JR Yamanote line at Shinagawa, which is doable but annoying with
suitcases after a long flight. A taxi from Haneda to any of these areas takes 25–40 minutes and
costs very roughly ¥7,000–10,000, which can be worth it on arrival night.
"""),
)

conv(
    "kyoto-autumn",
    JAPAN,
    "Kyoto Autumn Leaves Timing",
    "2025-05-24 09:05",
    user("""
When do the leaves actually peak in Kyoto? We'll be there roughly Nov 15-19. Worried we'll miss
it, or that it'll be unbearably crowded.
"""),
    assistant("""
In an average year, central Kyoto peaks in the last ten days of November and the color lasts into
early December. Warm autumns have been pushing it later recently. November 15–19 usually means the
early part of the season: some trees fully red, many still orange or green. It's still beautiful,
and a little less crowded than peak week.

Spots at higher elevation turn earlier, so Ohara, Kurama and Takao are good bets for your dates.
For crowds:

- Go at opening time, often 8 or 9 am, to the famous places like Tofuku-ji and Eikan-do.
- Visit quieter temples: Honen-in, Shinnyo-do and the sub-temples of Daitoku-ji are lovely and
  calmer.
- Some temples, like Ruriko-in, require advance reservations during the season.
"""),
    user("Are the night illuminations worth it?"),
    assistant("""
Yes, at least one. Several temples open in the evening during the season and light up their maple
trees, and reflections in ponds and the dark surroundings make it feel completely different from
the daytime visit. Eikan-do and Kodai-ji are well known for it. Go right at opening time, expect a
separate ticket, and leave the tripod at home, since most temples don't allow them.
"""),
    user("what should we pack for weather?"),
    assistant("""
Mid-November in Kyoto is typically around 60–64°F (16–18°C) during the day and 45–48°F (7–9°C)
at night, and it feels colder at early temples and night illuminations. Pack layers: a light
sweater, a packable down or insulated jacket, and a scarf. Bring comfortable walking shoes that
slip on and off easily, because you'll take them off at many temples, and socks without holes for
the same reason.
"""),
)

conv(
    "kyoto-osaka-ko",
    JAPAN,
    "교토 오사카 숙소와 동선 질문",
    "2025-06-29 22:30",
    user("""
11월 중순에 파트너랑 일본에 2주 가는데요, 교토에서 5박, 오사카에서 2박 할
예정이에요. 교토에서는 한 숙소에 계속 있는 게 나을까요, 아니면 중간에
지역을 바꾸는 게 나을까요? 관광은 히가시야마 쪽이랑 아라시야마 위주로
생각하고 있어요.
"""),
    assistant("""
5박이라면 한 숙소에 계속 머무는 걸 추천드려요. 짐을 싸서 체크아웃하고
이동해서 다시 체크인하다 보면 반나절이 그냥 지나가거든요. 교토는 도시가
크지 않아서 어디에 묵든 대부분의 명소까지 30~40분 안에 갈 수 있어요.

위치는 이렇게 고르시면 좋아요:
- **시조 가와라마치·기온 주변**: 기요미즈데라, 야사카 신사, 산넨자카 같은
  히가시야마 명소까지 걸어서 갈 수 있고, 저녁 먹을 곳도 많아요.
  아라시야마는 한큐선을 타고 가쓰라역에서 한 번 갈아타면 25분 정도 걸려요.
- **교토역 주변**: 관광지까지는 조금 멀지만 나라, 히메지, 히로시마 같은
  당일치기나 신칸센 이동이 정말 편해요.

히가시야마와 아라시야마가 중심이라면 가와라마치 쪽이 더 잘 맞을 것 같아요.
"""),
    user("""
아라시야마는 아침 일찍 가야 한다고 들었는데, 대나무숲은 몇 시쯤 가면 덜
붐빌까요? 그리고 오사카에서는 난바랑 우메다 중에 어디에 묵는 게 좋을까요?
마지막 날 간사이 공항에서 출국해요.
"""),
    assistant("""
대나무숲은 따로 입장 시간이 없어서 아침 7시 전에 도착하면 사람이 확실히
적어요. 8시가 넘으면 단체 관광객이 몰리기 시작하고, 단풍철 주말에는 특히
붐벼요. 대나무숲을 먼저 보고 덴류지 정원이 문을 여는 시간에 맞춰 들어가면
동선이 깔끔해요.

오사카는 간사이 공항에서 출국하신다면 **난바**를 추천드려요. 난카이선
특급 라피트를 타면 공항까지 40분이 채 안 걸리고, 도톤보리와 구로몬 시장처럼
먹거리 중심 동네가 바로 옆이에요. 우메다는 교통의 중심이고 쇼핑하기 좋지만,
공항까지는 리무진 버스나 JR 하루카를 타야 해서 조금 번거로워요.
"""),
    user("고마워요! 교토 버스가 많이 혼잡하다던데 그 정도인가요?"),
    assistant("""
네, 특히 단풍철에는 각오하시는 게 좋아요. 기요미즈데라나 긴카쿠지 방향 버스는
꽉 차서 정류장을 그냥 지나가는 경우도 있어요. 몇 가지 팁을 드리면:
- 가능하면 지하철이나 게이한선, 한큐선 같은 전철로 이동하고 마지막 구간만
  걸으세요.
- 두 분이 함께라면 짧은 거리는 택시비가 생각보다 부담스럽지 않아요.
- 시내버스 요금은 거리와 상관없이 230엔이고, Suica나 ICOCA 같은 교통카드로
  낼 수 있어요. 예전에 있던 버스 1일 승차권은 판매가 종료됐어요.
- 히가시야마 주변은 버스를 기다리는 것보다 걷는 게 더 빠를 때가 많아요.
"""),
)

conv(
    "japanese-phrases",
    JAPAN,
    "Japanese Phrases for Restaurants",
    "2025-08-03 19:50",
    user("""
Can you give me a small cheat sheet of Japanese phrases for restaurants and shops? Romanized
please, I can't read kana yet. Also, is there anything rude I should avoid?
"""),
    assistant("""
Here are the ones you'll actually use:

- **Sumimasen**: excuse me / sorry. Use it to get a server's attention.
- **Futari desu**: two people (when they ask how many, often with fingers held up).
- **Kore o kudasai**: this one, please (while pointing at the menu).
- **Osusume wa nan desu ka?**: what do you recommend?
- **Okaikei onegaishimasu**: the check, please.
- **Kaado de daijoubu desu ka?**: is a card OK?
- **Itadakimasu** before eating and **gochisousama deshita** when leaving, which staff really
  appreciate.

Things to avoid: don't tip, as it can cause confusion; don't stand chopsticks upright in rice or
pass food from chopsticks to chopsticks, since both are associated with funerals; put money on the
small tray at the register rather than handing it over; and avoid eating while walking on busy
streets, which many people still consider poor manners.
"""),
    user("My partner is vegetarian. How hard is that going to be?"),
    assistant("""
Harder than in most Western cities, mainly because of dashi, a stock usually made from bonito
fish flakes, which goes into miso soup, noodle broths, simmered dishes and many sauces. Dishes
that look vegetarian, like vegetable tempura with dipping sauce or plain udon, usually contain it.

What helps:

- A phrase card: "Watashi wa bejitarian desu. Niku to sakana wa taberaremasen. Dashi mo dame
  desu." (I'm vegetarian. I can't eat meat or fish. No dashi either.)
- **Shojin ryori**, the Buddhist temple cuisine, which is fully plant-based. Kyoto is the best
  place for it.
- Apps and sites that list vegetarian and vegan restaurants, which are common in Tokyo and Kyoto.
- Convenience stores for backup: onigiri with umeboshi or kombu, salads and fruit, checking
  labels for fish.
"""),
)

conv(
    "suica-iphone",
    JAPAN,
    "Suica on iPhone Setup",
    "2025-09-14 10:15",
    user("""
Can I add Suica to Apple Wallet with a US credit card? And is there any reason to get a physical
card instead?
"""),
    assistant("""
Yes. In Wallet tap +, choose Transit Card, pick Suica and load an amount. Most US Visa,
Mastercard and Amex cards work for top-ups through Apple Pay now. Turn on Express Mode for it so
you can tap through the gates without unlocking the phone; it even works for a while when the
battery is nearly dead.

A digital Suica works on trains, subways and buses across the country, plus convenience stores,
vending machines and many shops. A physical card mostly makes sense if you have an Android phone
bought outside Japan, or as a souvenir; for travelers there's also the Welcome Suica card sold at
airports.
"""),
    user("Does the balance expire? we'll probably have leftover"),
    assistant("""
The balance on a Wallet Suica doesn't expire quickly: it's only invalidated after ten years of no
use, so leftover money can wait for your next trip. The Welcome Suica card is different: it's
valid for 28 days and the balance can't be refunded. The easiest approach is to spend down the
leftover at a convenience store on your last day; you can pay part of a purchase with Suica and
the rest with cash or card.
"""),
    user("can we both use one phone?"),
    assistant("""
No, each person needs their own card. Gates expect one tap per traveler, and fares are charged to
the card that passes through. If your partner doesn't have an iPhone, an Apple Watch paired to
your phone can hold a second Suica, or they can pick up a physical card when you arrive.
"""),
)

conv(
    "ryokan-onsen",
    JAPAN,
    "Ryokan Etiquette and Onsen Tattoos",
    "2025-10-01 16:55",
    user("""
We booked a night at a ryokan in Hakone with dinner included. I have a medium-sized tattoo on my
shoulder. Will that be a problem in the onsen? Also, any etiquette we should know so we don't
embarrass ourselves?
"""),
    assistant("""
Tattoo policies vary a lot between ryokan. Some welcome them, some allow small tattoos that are
covered with a skin-colored patch, and some still refuse them in shared baths. Email the ryokan
and ask; they get this question all the time. Many also have private baths you can reserve, or
rooms with their own open-air bath, which sidesteps the issue.

Bath etiquette:

- Wash and rinse thoroughly at the shower stations, seated on the stool, before you get in.
- No swimsuits. The small towel stays out of the water; people fold it on their heads.
- Tie up long hair so it doesn't touch the water.
- No photos, and keep conversation quiet.

In the ryokan: take off shoes at the entrance, and slippers before stepping on tatami. Dinner is
usually served at a set time, and while you eat, staff lay out the futons in your room.
"""),
    user("they also mentioned yukata, 'left over right' — what does that mean exactly?"),
    assistant("""
It's about which panel of the robe goes on top. Wrap the right side against your body first, then
fold the left side over it. From the wearer's point of view the left panel is on the outside.
An easy check: you should be able to slip your right hand into the opening at your chest. The
opposite, right over left, is used to dress the deceased at funerals, so staff will gently
correct it. This applies to everyone, regardless of gender.
"""),
)

conv(
    "nara-or-himeji",
    JAPAN,
    "Day Trip from Kyoto: Nara or Himeji",
    "2025-10-30 20:40",
    user("""
We have one free day in Kyoto. Nara or Himeji? We'll already see lots of temples in Kyoto, so I'm
worried Nara will feel repetitive.
"""),
    assistant("""
Both are great, and they feel different from Kyoto in different ways.

**Nara** is temples too, but on another scale: the great Buddha hall of Todai-ji is enormous, the
forested walk to Kasuga Taisha is lined with thousands of stone lanterns, and the park's deer add
a playful mood. The old Naramachi merchant quarter is nice for lunch. It's about 45 minutes from
Kyoto on the Kintetsu line.

**Himeji** is all about the castle, the best-preserved original castle in Japan, white and
towering, with steep wooden stairs inside. The Koko-en gardens next door are lovely in autumn.
It's about 45 minutes by Shinkansen or around 1.5 hours on the cheaper Special Rapid train.

If you're worried about temple fatigue, Himeji gives you the most contrast.
"""),
    user("Himeji it is. how long do we need at the castle?"),
    assistant("""
Plan on 1.5–2.5 hours for the castle itself: you take your shoes off and carry them in a bag,
and the stairs between floors are narrow and steep, so lines can form on busy days. Add about 45
minutes for Koko-en; there's a combined ticket for both. If you leave Kyoto around 8:30, you can
finish by early afternoon, have lunch near the station, and be back in Kyoto before dark.
"""),
)

conv(
    "luggage-forwarding",
    JAPAN,
    "Sending Luggage Ahead in Japan",
    "2025-11-05 21:15",
    user("""
We leave in 3 days!! How does luggage forwarding work? We want to send our big suitcases from our
Tokyo hotel to our Kyoto hotel and only bring backpacks to Hakone.
"""),
    assistant("""
It's easy, and your plan is exactly what it's made for. The service is called *takkyubin*, and
Yamato Transport, with the black cat logo, is the best known.

1. The day before you leave Tokyo, ask the front desk to send your suitcases. They'll give you a
   form to fill out with the Kyoto hotel's name, address and phone number, your name, and the
   delivery date.
2. Pay at the desk, usually around ¥2,000–3,000 per suitcase depending on size, in cash or by
   card.
3. Tokyo to Kyoto is usually next-day delivery, but since you're spending a night in Hakone,
   choose the day you arrive in Kyoto, and let the Kyoto hotel know a bag is coming for a
   guest arriving that day.

Keep medication, valuables, chargers and a change of clothes in your backpacks.
"""),
    user("Is there anything about luggage in Hakone we should know?"),
    assistant("""
The main thing is to avoid dragging suitcases around Hakone: the mountain railway is crowded and
many stations have stairs. Since you'll only have backpacks, you're set. If you do end up with a
bigger bag, there are coin lockers at Odawara and Hakone-Yumoto stations, and a carry service at
Hakone-Yumoto that delivers luggage to many ryokan the same day if you drop it off in the
morning.
"""),
)

# --------------------------------------------------------------------------------------
# Houseplant care and propagation
# --------------------------------------------------------------------------------------

conv(
    "pothos-propagation",
    PLANTS,
    "Pothos Cutting Propagation in Water",
    "2025-01-28 19:30",
    user("""
My golden pothos got really leggy over the winter, like 4 feet of vine with leaves only at the
end. Can I chop it up and root the pieces? How do I know where to cut?
"""),
    assistant("""
Yes, and pothos is one of the easiest plants to propagate. Look for the **nodes**: the slightly
swollen points on the vine where a leaf joins the stem, usually with a small brown bump that is
an aerial root waiting to grow. Roots only come from nodes, so:

- Cut about 1/4 inch below a node with clean scissors.
- Make cuttings with 1–3 nodes each, and remove the leaf from the lowest node so it can sit
  underwater.
- Put them in a jar of room-temperature water in bright, indirect light, and change the water
  every week.

Roots usually appear within one to three weeks. Once they're 2–3 inches long, pot them up. For a
fuller plant, tuck several rooted cuttings back into the original pot around the base.
"""),
    user("should I use rooting hormone or is that overkill for pothos?"),
    assistant("""
Overkill. Pothos roots readily in plain water, and powdered hormone mostly washes off in a jar
anyway. Rooting hormone earns its keep with slow or woody cuttings, like fiddle-leaf fig, rosemary
or many shrubs, and when you propagate directly in soil or perlite.
"""),
    user("""
Last thing, when I move them from water to soil they always droop for like two weeks. Can I
avoid that?
"""),
    assistant("""
That droop is normal: roots grown in water are adapted to water and need time to adjust to soil.
Ways to make the move easier:

- Pot them up when the roots are about 1–2 inches rather than long tangles.
- Keep the soil evenly moist, not soggy, for the first two weeks, then go back to letting the top
  inch dry out.
- Or gradually add a little potting mix to the jar over a week or two, so the roots transition
  slowly.
- Or skip water entirely next time and root cuttings in moist sphagnum moss or perlite, which
  produces roots that are already used to a substrate.
"""),
)

conv(
    "fiddle-leaf",
    PLANTS,
    "Fiddle Leaf Fig Dropping Leaves",
    "2025-03-10 18:20",
    user("""
We moved apartments in February and my fiddle leaf fig has dropped 6 lower leaves since then. Its
new spot is about 8 feet from a west-facing window. Is it dying?
"""),
    assistant("""
Probably not dying, but it's telling you it's unhappy. Fiddle-leaf figs are notorious for dropping
leaves after a move: changes in light, temperature and drafts all stress them, and shedding older,
lower leaves is how they cut back.

The bigger long-term issue is light. Eight feet from a window is quite dim for this plant; light
falls off quickly with distance. Move it within 2–3 feet of the west window, ideally with a sheer
curtain to soften the strongest afternoon sun. Then:

- Water less than before until it adjusts. In lower light it uses much less water, and wet soil
  plus low light is the classic path to root rot.
- Don't fertilize a stressed plant; wait until you see new growth.
- Avoid moving it around again. It hates being relocated.
"""),
    user("some of the leaves also have brown spots in the middle, not at the edges"),
    assistant("""
That's a useful clue. Brown patches in the middle of the leaf, especially dark or soft ones that
spread, usually point to root problems from too much water. Crispy, tan edges are more often from
dry soil or very low humidity. And tiny reddish-brown dots on young leaves are edema, from
watering inconsistently.

Check the soil 2 inches down: if it's still wet a week after watering, the roots are probably
sitting in too much moisture.
"""),
    user("the pot doesn't have drainage holes 😬"),
    assistant("""
Then that's most likely the cause. Water collects at the bottom, the lower roots suffocate and
start to rot, and the plant drops leaves because it can't take up water properly, even though the
soil is wet.

Repot it into a container with drainage holes, or into a plastic nursery pot that sits inside your
decorative one. Slide the plant out and look at the roots: healthy ones are firm and light
colored, rotten ones are brown, mushy and smell bad. Trim off the rotten parts with clean
scissors, use a chunky, fast-draining mix (potting soil with plenty of bark and perlite), and
water lightly until it shows new growth.
"""),
)

conv(
    "calathea-edges",
    PLANTS,
    "Brown Crispy Edges on Calathea",
    "2025-04-27 14:05",
    image(
        """
This is my calathea orbifolia. The edges keep turning brown and crispy even though I water it
every week. What's going on?
""",
        name="IMG_4417.jpeg",
        width=1536,
        height=2048,
        size_bytes=412876,
    ),
    assistant("""
From the photo, the browning starts at the leaf edges and works inward, with a thin yellow band
between the brown and the healthy green. On a calathea that pattern almost always comes from
two things:

1. **Low humidity.** Calatheas come from the humid forest floor and prefer 50–60% humidity;
   heated or air-conditioned rooms often sit at 30–40%. A small humidifier nearby helps most.
   Pebble trays and misting do very little.
2. **Water quality.** They're sensitive to the salts, fluoride and chlorine in tap water, which
   accumulate in the soil and burn the leaf margins first.

Also check that the soil stays lightly moist: "every week" can be too dry in a bright, warm
spot. Look under the leaves for fine webbing or speckling, since spider mites love calatheas in
dry air. You can trim the brown edges with clean scissors, following the natural shape of the
leaf; the damaged parts won't turn green again.
"""),
    user("our tap water is super hard. would letting it sit out overnight help?"),
    assistant("""
Only a little. Letting water stand overnight allows free chlorine to escape, but it doesn't
remove chloramine, which many cities use now, or fluoride, or the dissolved minerals that make
water hard. Those minerals keep building up in the pot.

Better options are filtered water from a reverse-osmosis system, distilled water, or collected
rainwater. Every couple of months, flush the pot by running a generous amount of that water
through the soil to wash out accumulated salts. If you see a white crust on the soil surface or
the pot rim, that's the mineral buildup.
"""),
)

conv(
    "fungus-gnats",
    PLANTS,
    "Fungus Gnats in Potting Mix",
    "2025-05-17 12:45",
    user("""
There are tiny black flies all over my plant shelf; they come out of the soil when I water. I
have about 15 plants. How do I get rid of them without nuking everything with pesticide?
"""),
    assistant("""
Those are fungus gnats. The adults are harmless nuisances, but their larvae live in the top inch
or two of moist potting mix, feeding on fungi and decaying material, and in large numbers they
can nibble on fine roots. Their life cycle is about 3–4 weeks, so the plan needs to run at least
that long:

- **Dry out the top layer.** Let the top 1–2 inches of soil dry between waterings. Larvae can't
  survive in dry soil. Bottom watering helps keep the surface drier.
- **Yellow sticky traps** near the soil catch the adults so they can't lay more eggs.
- **BTI** (*Bacillus thuringiensis israelensis*), sold as mosquito bits or dunks. Soak some in
  your watering water and use it for every watering for a few weeks; it kills the larvae.
- **Top dressing** with a half-inch of coarse sand or fine gravel makes the surface
  unattractive for laying eggs.

Do all the pots at once, or the gnats just move to the untreated ones.
"""),
    user("""
Would it be faster to just repot everything in fresh soil?
"""),
    assistant("""
Not necessarily. Fresh bagged potting mix often brings its own gnat eggs, and repotting 15 plants
at once stresses them and leaves you with lots of moist new soil, which gnats love. Repotting makes
sense only for a plant that's badly infested, root-bound or staying soggy for a long time. For the
rest, the drying-out plus BTI approach breaks the cycle in about a month. If you do buy new mix
later, store it in a sealed container, and some people bake a small batch or microwave it briefly
to kill anything hiding in it.
"""),
    user("will BTI hurt my pets? I have a cat who likes to chew on things"),
    assistant("""
BTI is very specific: it targets the larvae of mosquitoes, black flies and fungus gnats and is
considered low risk for mammals, including cats. Still, keep the dunks and the soaking container
out of reach so your cat isn't drinking from it. The bigger question with a chewer is the plants
themselves. Pothos, monstera, philodendron, peace lily and snake plant all contain calcium
oxalate crystals that irritate the mouth, while calathea, spider plants and Boston ferns are
considered non-toxic to cats. If your cat has eaten something and seems unwell, call your vet.
"""),
)

conv(
    "snake-plant-repot",
    PLANTS,
    "Repotting a Root Bound Snake Plant",
    "2025-06-03 17:10",
    user("""
My snake plant cracked its plastic nursery pot, roots are circling everything. Can I divide it
while I'm at it, and how big a pot should I use?
"""),
    assistant("""
A cracked pot is a clear sign it's ready, and it's a perfect time to divide. Snake plants grow
from thick underground stems (rhizomes), so:

1. Slide or cut the plant out of the old pot and loosen the root ball with your fingers.
2. Find natural divisions where groups of leaves share a rhizome, and separate them by hand or
   with a clean knife. Each division needs a few leaves and a healthy set of roots.
3. Let cut surfaces dry for a day so they callus.
4. Pot each division into a container only 1–2 inches wider than its root mass. Snake plants
   like to be snug, and extra soil stays wet too long.

Terracotta is ideal because it breathes. Use a cactus or succulent mix with extra perlite or
pumice. Wait about a week before watering so damaged roots can heal.
"""),
    user("Can I propagate the single leaf that snapped off?"),
    assistant("""
Yes. Cut the leaf into 3–4 inch sections and mark which end was the bottom (a small notch works),
because sections planted upside down won't root. Let them callus for a day or two, then stand them
about an inch deep in gritty mix or in a little water. It's slow: roots take a month or more and
new pups can take several months.

One catch: if your plant has yellow edges (the 'Laurentii' type), leaf cuttings usually produce
plain green plants, because the variegation doesn't carry through that way. Division keeps it.
"""),
)

conv(
    "grow-light",
    PLANTS,
    "Grow Light for a North Facing Apartment",
    "2025-08-09 20:20",
    user("""
Our new place only has north-facing windows. Everything I own is getting leggy and pale. What
should I look for in a grow light without the living room looking like a weed farm?
"""),
    assistant("""
Look for **full-spectrum white LEDs** with a color temperature around 3000–4000K. They look like
normal warm or neutral light and plants do great under them; skip the purple "blurple" panels.
What matters:

- **Light intensity at the plant (PPFD),** in µmol/m²/s. Good manufacturers publish PPFD charts
  at different distances. Low-light plants like pothos and snake plants are happy around 50–150;
  most foliage plants prefer 150–300; succulents and herbs want more.
- **Hours:** 12–14 hours a day on a cheap outlet timer, for consistency.
- **Distance:** usually 12–24 inches above the foliage, depending on the light's strength.

For a living room, there are grow bulbs that screw into regular lamps (PAR38 floods in a floor
lamp or track light), slim LED bars that mount under shelves, and clip-on lights. Wattage alone
is a poor guide to brightness for plants, so go by the PPFD data.
"""),
    user("how do I measure PPFD without buying an expensive meter?"),
    assistant("""
There are phone apps that estimate PPFD using the camera, and with the right calibration they're
good enough for houseplants, within maybe 10–20%. Another approach is a cheap lux meter: for white
LEDs you can roughly convert by dividing lux by about 65–70. Sunlight through a window converts a
bit differently, so treat these as ballpark numbers. For houseplants, ballpark is all you need.
"""),
    user("so a pothos at like 100 PPFD for 12 hours, that's fine?"),
    assistant("""
That's fine. The useful number is the daily light integral (DLI), the total light per day:
PPFD × hours × 3600 ÷ 1,000,000. For you that's 100 × 12 × 3600 ÷ 1,000,000 ≈ 4.3 mol/m²/day.
Pothos grows well at about 3–6, so you're right in range. You'll see shorter gaps between leaves
and better color within a few weeks.
"""),
)

conv(
    "monstera-chop",
    PLANTS,
    "Chopping and Propagating a Tall Monstera",
    "2025-09-01 11:50",
    user("""
My monstera deliciosa is hitting the ceiling. If I chop the top off, what happens to the rest of
the plant? And can the top be rooted?
"""),
    assistant("""
Both parts will be fine. Cut just below a node that has an aerial root, and the top becomes a new
plant. The remaining base will push out a new growing point from one of the nodes below the cut,
usually within a few weeks in good light. It may look stubby for a while, but it recovers.

To root the top, put the node and aerial roots in water or in moist sphagnum moss mixed with
perlite, keep it in bright, indirect light, and be patient. A big cutting may drop a leaf or two
while it grows roots. Afterwards, give it a moss pole or plank to climb, which leads to bigger,
more split leaves and keeps growth more upright.
"""),
    user("What's air layering exactly? The cutting would be huge and I'm scared of killing it."),
    assistant("""
Air layering lets the top grow its roots while it's still attached and fed by the mother plant,
so there's much less risk. Pick a node with an aerial root, wrap a generous handful of damp
sphagnum moss around it, and cover that with plastic wrap or a clear container cut open and taped
around the stem so the moss stays moist. Check it every few days and add water if it dries. In 3–6
weeks you'll see new roots filling the moss. Then cut just below the moss ball and pot it up, moss
and all.
"""),
    user("plant is toxic for cats right? the cuttings will be on the floor for a while"),
    assistant("""
Yes. Monstera contains insoluble calcium oxalate crystals, which cause mouth irritation, drooling,
pawing at the face and sometimes vomiting if a cat chews on it. It's rarely dangerous, but it's
unpleasant. Keep the cuttings on a shelf or in a closed room while they root, and call your vet if
your cat shows symptoms after chewing.
"""),
)

conv(
    "plants-while-away",
    PLANTS,
    "Keeping Houseplants Alive for Two Weeks Away",
    "2025-10-26 16:30",
    user("""
Leaving for two weeks in November. About 20 houseplants: pothos, monstera, snake plant,
calatheas, a fiddle leaf, some succulents and a string of pearls. No one can come water. How do I
keep them alive?
"""),
    assistant("""
Two weeks in November is very doable, since plants grow slowly and use less water in autumn.
Group them by need:

- **Succulents and snake plant:** water normally a few days before you leave and they'll be fine;
  they'd be fine for a month.
- **String of pearls:** water thoroughly about three days before leaving. It stores water in its
  beads, but it's sensitive to both extremes.
- **Pothos, monstera, fiddle leaf:** water deeply the day before you go and move them a few feet
  back from the windows so they use water more slowly. Don't move the fiddle leaf far; it hates
  changes.
- **Calatheas:** the thirsty, fussy ones. Set them up with a wick: a cotton rope from a jar of water
  pushed into the soil. Or put them in a bright bathroom and tent them loosely with a clear plastic
  bag to keep humidity up.

Don't fertilize beforehand, and check for pests before you leave, because infestations explode
without anyone noticing.
"""),
    user("Would those ceramic watering spikes or glass globes work?"),
    assistant("""
They can, but they're unpredictable: in loose, dry soil a globe can empty in a day or two, and
in dense soil a spike can clog and barely release anything. If you want to use them, test this
week. Set them up on a couple of plants and see how long the reservoir lasts and whether the soil
stays evenly moist. Terracotta spikes attached to a larger bottle release water more slowly and
tend to work better for a two-week absence.
"""),
)

conv(
    "spider-mites",
    PLANTS,
    "Spider Mites on Alocasia",
    "2025-12-14 13:35",
    user("""
My alocasia has fine webbing under the leaves and the leaves look stippled with tiny pale dots. I
think it's spider mites. How do I get rid of them for real? Last time they came back.
"""),
    assistant("""
That's spider mites. They love alocasias, especially in dry winter air. They usually come back
because treatment stops too early: eggs survive most sprays and hatch a few days later. Plan
on three to four weeks:

1. **Isolate** the plant and check its neighbors with a magnifier; look under leaves.
2. **Rinse** the plant in the shower, focusing on the undersides of the leaves, to knock most
   mites off.
3. **Treat** every 5–7 days with insecticidal soap or horticultural oil, covering the undersides
   thoroughly.
4. **Raise humidity.** Mites thrive in dry air.

Systemic insecticides for houseplants generally don't work on mites, since mites aren't insects.
For a persistent problem, predatory mites like *Phytoseiulus persimilis* are a non-chemical option
that works well indoors. Also, alocasias often drop leaves in winter and slow down, so don't panic
if it loses one or two during treatment.
"""),
    user("Is neem safe indoors? it smells awful"),
    assistant("""
Neem oil is generally considered low-toxicity, but the smell of cold-pressed neem is strong and
lingers for a day or two. Alternatives: insecticidal soap (potassium salts of fatty acids) is
almost odorless, and paraffin-based horticultural oils smell much less. Whatever you use, spray in
the bathtub or on a balcony if it's not freezing, keep the plant out of direct sun until it dries,
and test on one leaf first, since alocasias can be sensitive.
"""),
    model="gpt-5-thinking",
)

conv(
    "winter-watering",
    PLANTS,
    "Winter Watering Schedule Adjustments",
    "2026-02-15 10:05",
    user("""
Heating is on, the air is super dry (my hygrometer says 28%), and the days are short. Should I
water MORE because of the dry air or LESS because of the low light? I'm confused.
"""),
    assistant("""
Less, in most cases. How fast a plant uses water depends mostly on how much it's growing, and
growth depends mainly on light. In winter, with short, dim days, most houseplants grow slowly and
drink much less, even though dry air makes the soil surface dry out faster. That's why winter is
the season of root rot: the top looks dry while the lower soil is still wet.

So stop watering on a schedule and check instead: push a finger or a wooden chopstick a couple of
inches into the soil, or lift the pot to feel its weight. Water when it's dry at that depth.
Exceptions are plants right next to a radiator or heating vent, which can dry out surprisingly
fast, and plants under grow lights, which keep growing. Hold off on fertilizer until spring.
"""),
    user("Cheapest way to raise humidity for a few plants?"),
    assistant("""
Group the humidity lovers together, since plants release moisture and a cluster creates a slightly
more humid pocket. Then add a small cool-mist humidifier next to the group, which is by far the
most effective option. If it's ultrasonic, use distilled water to avoid white mineral dust. Misting
only raises humidity for a few minutes, and pebble trays do little in a dry room. For a few small
fussy plants, a glass cabinet or a clear storage box with the lid slightly open works as a mini
greenhouse.
"""),
)

# --------------------------------------------------------------------------------------
# Personal finance: budgeting, emergency fund, index funds
# --------------------------------------------------------------------------------------

conv(
    "emergency-fund",
    FINANCE,
    "Emergency Fund Before Investing",
    "2025-01-05 21:40",
    user("""
New year, trying to get my finances in order. I have $4,200 in checking, nothing else saved, about
$6k left on a car loan at 5.9%, no credit card debt. Take-home is ~$4,800/month. Should I start
investing or build an emergency fund first?
"""),
    assistant("""
Mostly emergency fund first, with one important exception. A common order of operations:

1. **Capture any employer 401(k) match.** It's an instant return you won't get anywhere else.
2. **Build a starter cushion** of $1,000–2,000 so small surprises don't end up on a credit card.
3. **Grow it to a full emergency fund** of 3–6 months of *essential expenses* (not income).
4. **Then invest** more for retirement and other goals.

Your car loan at 5.9% is in a middle zone: it's not urgent like credit card debt, so keep paying it
on schedule for now and revisit it once the emergency fund is in place. Keep the savings in a
separate high-yield savings account so it earns something and isn't mixed with spending money.
"""),
    user("""
My expenses are about $3,300 a month. My employer matches 50% up to 6%. I'm currently
contributing 2%.
"""),
    assistant("""
Then step one is to raise your 401(k) contribution to 6%. Right now you're leaving two-thirds of
the match on the table, and the match is effectively a 50% return on those dollars. Your
paycheck will drop a bit, but less than the contribution itself, because it comes out before
income tax.

For the emergency fund, 3 months of your expenses is about $10,000, and 6 months about $20,000.
With a stable job and no dependents, $10,000 is a reasonable first target. A plan:

- Move $3,000 from checking into a high-yield savings account now, keeping $1,200 as a buffer.
- Set up an automatic transfer of about $1,000 a month on payday.

That gets you to $10,000 in roughly seven months. After that, decide between a bigger cushion,
paying down the car loan faster, or opening a Roth IRA.
"""),
    user("""
Should I also keep some cash at home? My dad always kept an envelope in a drawer
"""),
    assistant("""
A small amount is sensible: a few hundred dollars covers the rare situations where cards and
ATMs don't work, like a regional power outage, a payment network problem or a storm. Keep it
modest and in a safe place, because cash at home earns nothing, isn't insured, and can be lost or
stolen. The real emergency fund should stay in the bank, where it's protected and earning interest.
"""),
    user("what counts as an emergency? I'm worried I'll raid it for vacations"),
    assistant("""
A good test is that it's **unexpected, necessary and urgent**: losing your job, a medical bill,
a car repair you need to get to work, an emergency flight to see family. Things that are
predictable, even if irregular, aren't emergencies: vacations, holiday gifts, annual insurance
premiums, a new phone. Those get their own savings buckets so they don't compete with your safety
net.

Making it a bit less convenient helps too. Keep it at a different bank than your checking account,
so moving money takes a day, and give the account a name like "Only for real emergencies."
"""),
)

conv(
    "index-vs-etf",
    FINANCE,
    "Index Mutual Fund vs ETF Difference",
    "2025-02-14 20:55",
    user("""
What's actually the difference between an index mutual fund and an ETF that tracks the same index?
e.g. VTSAX vs VTI. Which one should I buy in my brokerage account?
"""),
    assistant("""
Underneath, VTSAX and VTI hold the same portfolio (the whole US stock market), so long-term
returns are essentially identical. The differences are in the wrapper:

- **Trading:** a mutual fund is bought and sold once a day at the closing price (NAV); an ETF
  trades like a stock throughout the day.
- **Minimums:** VTSAX requires $3,000 to start; VTI costs the price of one share, or less if your
  broker supports fractional shares.
- **Costs:** both are very cheap, roughly 0.04% for VTSAX and 0.03% for VTI per year.
- **Automation:** mutual funds make it easy to invest an exact dollar amount automatically;
  with ETFs that depends on your broker.
- **Portability:** an ETF can be held at almost any brokerage, while a company's mutual funds
  can carry fees or restrictions elsewhere.
- **Taxes:** ETFs are generally more tax-efficient in taxable accounts because of how shares are
  created and redeemed. Vanguard's structure makes its mutual funds similarly efficient.

In a taxable account, the ETF is usually the slightly more flexible choice, but either is fine.
"""),
    user("My brokerage is Fidelity. does that change anything?"),
    assistant("""
Yes, a little. Fidelity typically charges a transaction fee to buy Vanguard mutual funds like
VTSAX, while ETFs like VTI trade commission-free. So at Fidelity your choices are really:

- **VTI** (or another total-market ETF), which is commission-free and portable anywhere.
- **FSKAX**, Fidelity's own total market index fund, with an expense ratio of about 0.015% and
  easy automatic investing.
- **FZROX**, with a 0% expense ratio, but it can only be held at Fidelity. If you ever moved
  brokers in a taxable account, you'd have to sell it and potentially pay capital gains tax.

For a taxable account, VTI or FSKAX are both excellent. I'd avoid FZROX there for the portability
reason; it's a great choice inside an IRA, where selling has no tax consequences.
"""),
)

conv(
    "zero-based-budget",
    FINANCE,
    "Zero Based Budget Setup",
    "2025-03-22 15:15",
    user("""
I keep "budgeting" in a spreadsheet and then ignoring it by week two. Can you explain zero-based
budgeting and how to set it up so I actually stick with it?
"""),
    assistant("""
Zero-based budgeting means giving every dollar of income a job until income minus everything you
assigned equals zero. "Job" includes saving and investing, not just spending. The difference from
a typical spreadsheet is that you plan with money you already have, and you adjust the plan
whenever reality changes instead of abandoning it.

To make it stick:

1. **Start from real numbers.** Look at the last three months of spending and build categories
   from that, not from what you wish you spent.
2. **Use few categories.** Rent, utilities, groceries, eating out, transportation, fun money,
   savings goals. Ten to fifteen is plenty.
3. **Move money, don't feel guilty.** Overspent on groceries? Move $60 from eating out. The
   budget bends so it doesn't break.
4. **A weekly 10-minute check-in** to categorize transactions and rebalance.

Tools like YNAB or Actual Budget are built around this method, but a spreadsheet works if you keep
the weekly habit.
"""),
    user("""
Irregular stuff kills me. Car registration, Amazon birthday gifts, annual subscriptions.
"""),
    assistant("""
That's what **sinking funds** are for. List every irregular but predictable expense, estimate the
yearly cost, divide by 12, and budget that amount each month into its own category. When the bill
arrives, the money is already waiting. For example:

| Expense | Per year | Per month |
|---|---|---|
| Car registration | $180 | $15 |
| Car insurance (every 6 months) | $1,080 | $90 |
| Gifts and holidays | $600 | $50 |
| Annual subscriptions | $240 | $20 |
| Vet and pet costs | $400 | $33 |
| **Total** | **$2,500** | **~$208** |

It feels like a lot of money to set aside, but it's money you were already spending, just in
unpredictable lumps.
"""),
    user("should these sit in the same savings account as my emergency fund?"),
    assistant("""
They can, as long as you track the amounts separately so a gift purchase never quietly eats into
your emergency money. Many online banks let you create named "buckets" or sub-accounts within one
savings account, which is the easiest way. If yours doesn't, either open a second savings account
for sinking funds or keep a simple ledger in your budget that shows how much of the balance
belongs to each fund.
"""),
)

conv(
    "rebalancing",
    FINANCE,
    "Rebalancing After a Market Drop",
    "2025-04-08 22:50",
    user("""
My portfolio is down about 14% in the last few weeks. My target is 80/20 stocks/bonds and now it's
more like 75/25. Should I rebalance now, wait, or just stop looking?
"""),
    assistant("""
Drops like this are exactly what rebalancing is for. It means selling some of what held up (bonds)
and buying what fell (stocks), so your portfolio's risk returns to the level you chose. There are
two common approaches:

- **Calendar:** rebalance once a year on a fixed date, regardless of markets.
- **Threshold:** rebalance whenever an asset class drifts more than about 5 percentage points
  from its target.

You're at 75/25, right at a typical 5-point threshold, so rebalancing now is consistent with a
threshold rule, and waiting until your next scheduled date is also consistent with a calendar
rule. What matters is following a rule rather than a feeling. In a taxable account, prefer
rebalancing by directing new contributions into stocks rather than selling bonds, to avoid
realizing gains. And yes, check less often.
"""),
    user("""
it's all in my 401k, so no tax issue. If I rebalance and it keeps dropping, won't I have lost
more?
"""),
    assistant("""
In the short term, possibly. If stocks keep falling, the extra stocks you bought will fall too.
Rebalancing isn't a prediction that the bottom is in; nobody knows that. It keeps your portfolio
at the risk level you decided on when you were calm, and over long periods it tends to mean
buying low and selling high without any forecasting.

If 80/20 feels unbearable right now, that's useful information about your risk tolerance, but make
that change later, deliberately, not in the middle of a drop. And if you'd prefer to never think
about this again, a target-date fund does the rebalancing for you.
"""),
    user("ok I did it. feels weird buying when everything's red"),
    assistant("""
That feeling is normal, and it's exactly why rebalancing is valuable: it makes you do the thing
that's emotionally hardest and usually right over the long run. Consider writing down a short
"investment policy": your target allocation, your rebalancing rule and why you chose them. Next
time markets drop, you can read your own reasoning instead of reacting to headlines.
"""),
)

conv(
    "total-vs-sp500",
    FINANCE,
    "Total Market vs S&P 500 Fund",
    "2025-05-06 19:25",
    user("""
Is there a meaningful difference between a total US stock market fund and an S&P 500 fund? My
401k only has an S&P 500 index option plus a small-cap fund.
"""),
    assistant("""
Less than the internet debates suggest. The S&P 500 covers about 500 large US companies, which
make up roughly 80–85% of the total US market's value. A total market fund adds several thousand
mid-size and small companies, but because funds are weighted by company size, those additions are
a small slice. The two have historically moved almost in lockstep, with long-run returns very
close.

In your 401(k), the S&P 500 fund alone is a perfectly good core holding. If you want to mimic the
total market, put roughly 15–20% of your US stock allocation into the small-cap fund, but check its
expense ratio first. If it's much more expensive than the S&P 500 fund, the simplicity of just
the S&P 500 wins.
"""),
    user("what about international? everyone on reddit argues about it"),
    assistant("""
It's genuinely debatable, which is why the arguments never end. Non-US companies make up roughly
35–40% of the global stock market.

- **For including it:** diversification across economies and currencies. The US hasn't always led;
  for example, US stocks lagged international stocks for much of the 2000s. And valuations differ
  between markets.
- **Against, or for less:** many large US companies already earn a lot of revenue abroad,
  international funds cost a bit more, and there's currency risk.

Many diversified portfolios hold 20–40% of their stocks internationally. The most important part is
picking a split you can stick with, even during the years when the other part wins.
"""),
)

conv(
    "hysa",
    FINANCE,
    "Is a High Yield Savings Account Worth It",
    "2025-06-18 12:35",
    user("""
My emergency fund is in my bank's savings account earning 0.01%. High-yield savings accounts are
advertising around 4%. Is switching worth the hassle and are they safe?
"""),
    assistant("""
Worth it. On a $10,000 emergency fund, 0.01% earns about $1 a year and 4% earns about $400. It's a
one-time setup that takes maybe half an hour.

Safety: make sure the account is held at an FDIC-insured bank (or NCUA for credit unions), which
protects up to $250,000 per depositor, per bank, per ownership category. Be a little careful with
fintech apps that aren't banks themselves and hold your money through partner banks. Read how the
insurance applies, because when a middleman fails, getting access to your money can be slow.

Practical points: the rate is variable and moves with the Fed's rates; transfers to checking take
one to three business days, so keep a small buffer in checking for truly instant needs.
"""),
    user("is the interest taxed?"),
    assistant("""
Yes. Savings interest is taxed as ordinary income at your federal and state rates, and the bank
sends you a 1099-INT if you earned $10 or more. If you live in a high-tax state, it's worth
comparing with Treasury bills or a Treasury money market fund: their interest is exempt from state
and local income tax, which can make their after-tax yield higher even when the headline rate is
similar.
"""),
)

conv(
    "car-loan-payoff",
    FINANCE,
    "Paying Off Car Loan Early vs Investing",
    "2025-07-19 11:10",
    user("""
I have $5,100 left on my car loan at 5.9%, 22 months to go. My emergency fund is now at 3 months
($10k). Should I throw extra money at the car loan or invest it?
"""),
    assistant("""
Both are reasonable. Paying extra on the loan is a **guaranteed** 5.9% return, while stocks have
historically returned more on average but with no guarantee, especially over a short 22-month
window. After tax, 5.9% guaranteed is a solid deal. There's also a real psychological and cash
flow benefit: once it's gone, your monthly payment (probably around $250) becomes yours again.

Before deciding, check two things: that the loan has no prepayment penalty, and that extra
payments go to principal, not toward future payments. Lenders sometimes need you to specify that.

One bigger question first: are you contributing to a Roth IRA? Tax-advantaged space is
use-it-or-lose-it each year, which changes the math.
"""),
    user("I'm not doing a Roth IRA at all yet. Didn't know it was time-limited"),
    assistant("""
Yes: each year you can contribute up to the annual limit ($7,000 for 2025 if you're under 50),
and you have until the tax filing deadline the following April to make contributions for that
year. Unused room doesn't carry forward, so a year you skip is gone for good. Since growth in a
Roth is tax-free forever, that space is valuable.

A balanced plan could be splitting your extra money: open a Roth IRA and contribute something each
month, and put the rest toward the car loan. Once the loan is gone, redirect the old payment to the
Roth to max it out.
"""),
)

conv(
    "roth-ira",
    FINANCE,
    "Roth IRA Contribution Basics",
    "2025-08-24 20:30",
    user("""
Opening a Roth IRA finally. Are there income limits? I make $78k. And what do I actually invest in
once the money is in there? I opened one years ago and the money just sat in cash.
"""),
    assistant("""
At $78,000 you're well under the limit; for 2025, the ability to contribute directly only starts
phasing out for single filers at a modified adjusted gross income of $150,000.

And your old account is the most common Roth mistake there is: depositing money isn't investing
it. Contributions land in a cash or money market position, and you have to buy investments. Simple
options:

- **One target-date index fund** matching your approximate retirement year. It holds US and
  international stocks and bonds and rebalances itself.
- **A simple three-fund mix:** a total US stock index fund, a total international index fund,
  and a bond index fund, in proportions you choose.

Set up an automatic monthly contribution and, if your broker supports it, an automatic investment
into the fund so it never sits in cash again. Also, contributions (not earnings) can be withdrawn
anytime without tax or penalty, though it's best to leave them to grow.
"""),
    user("Target date fund expense ratios look higher though, like 0.12% vs 0.015%"),
    assistant("""
They are, but look at the dollars: on $7,000, the difference of about 0.1% is about $7 a year. For
that you get automatic rebalancing and a gradual shift toward bonds as you age, and you don't have
to do anything. Behavior matters more than a few basis points: forgetting to rebalance or tinkering
during a crash costs far more. As the balance grows into six figures, the cost difference becomes
worth a DIY three-fund approach if you enjoy managing it.

One thing to watch: fund families often offer both index-based and actively managed target-date
series with similar names, and the active ones can cost 0.6% or more. Choose the index version.
"""),
    user("should I do $583/month or lump sum whenever I have it?"),
    assistant("""
Historically, investing a lump sum as soon as you have it beats spreading it out about two-thirds
of the time, simply because markets rise more often than they fall. But you don't have a lump sum;
you have a paycheck. So $583.33 a month (which hits $7,000 for the year) lines up with your cash
flow and is easy to automate. If you get a bonus or tax refund, putting it in right away is a good
move. Either way, the important part is that it happens automatically.
"""),
)

conv(
    "net-worth",
    FINANCE,
    "Tracking Net Worth Monthly",
    "2025-11-30 17:20",
    user("""
I want to start tracking my net worth in a spreadsheet. What should I include, should the car count
as an asset, and how often should I update it?
"""),
    assistant("""
Net worth is simply everything you own minus everything you owe. A simple spreadsheet with one row
per account and one column per month works great.

- **Assets:** checking, savings and emergency fund, retirement accounts (401(k), IRA), brokerage
  accounts, HSA, and optionally things like a car.
- **Liabilities:** car loan, student loans, credit card balances you aren't paying off in full,
  and a mortgage if you have one.

About the car: it's an asset, but a depreciating one you wouldn't sell to fund your life. Many
people either leave it out or include it at a conservative private-party value, so the net worth
number reflects money that can actually work for you. Count retirement accounts at their full
balance, but remember that a traditional 401(k) will be taxed on the way out.

Monthly is a good rhythm; it takes 10 minutes. Early on, your savings rate tells you more than
net worth, because contributions drive most of the change until the balances get large.
"""),
    user("""
just filled it in back to January. went from about $7k to about $37k this year. is that good
lol
"""),
    assistant("""
That's excellent. A jump of roughly $30,000 in eleven months means you saved and invested a
serious share of your income: the emergency fund, the higher 401(k) contributions with the match,
the Roth IRA, and the shrinking car loan all show up in that number, with some market growth on
top. The first years are the hardest because almost everything comes from your own contributions.
As the balances grow, investment returns start contributing more each year. Enjoy it.
"""),
)

conv(
    "year-end-review",
    FINANCE,
    "Year End Money Review Checklist",
    "2026-01-04 17:45",
    user("""
Doing a year-end money review for 2025 and setting goals for 2026. What should be on my
checklist? Car loan got paid off in December, emergency fund is full, Roth is maxed, 401k at 8%.
"""),
    assistant("""
Great year. Here's a checklist that covers the important things without taking all weekend:

1. **Spending review:** compare last year's actual spending by category against your budget, and
   adjust categories that were consistently wrong.
2. **Net worth snapshot:** update your tracker for December 31.
3. **Contribution limits:** the 2026 limits went up, to $24,500 for a 401(k) and $7,500 for an IRA.
   Update your automatic contributions so you don't stop at last year's numbers.
4. **Employer benefits:** check whether you're eligible for an HSA, and whether your 401(k) has an
   automatic annual increase feature.
5. **Beneficiaries:** confirm them on your 401(k), IRA and any insurance policies.
6. **Insurance:** renters or homeowners coverage, and whether disability insurance through work is
   enough.
7. **Credit:** pull your free credit reports and consider freezing your credit if you haven't.
8. **Tax prep:** create a folder for W-2s, 1099s and donation receipts as they arrive.

Then pick two or three specific goals for 2026 rather than ten vague ones.
"""),
    user("I now have the old $250 car payment freed up. Where should it go?"),
    assistant("""
You're already used to living without that money, which makes it the easiest money to save. A
few good homes for it:

- **Raise your 401(k)** by a couple of percent; with pre-tax contributions, $250 of take-home pay
  turns into more than $250 invested.
- **A "next car" sinking fund:** keep paying yourself the car payment so your next car is bought
  in cash, or with a much smaller loan.
- **A taxable brokerage account** for goals beyond retirement.

A sensible split is to raise the 401(k) by 2% and send the rest to the car fund. Your current car
will need replacing someday, and you'll be glad the money is already there.
"""),
)

# --------------------------------------------------------------------------------------
# Notes (notes.json)
# --------------------------------------------------------------------------------------

note(
    "bake-log",
    SOURDOUGH,
    "Bake log, spring 2025",
    "2025-03-16 10:00",
    "2025-05-03 18:30",
    """
## Loaf 3 (Mar 15)
- 75% hydration, 20% levain, 2% salt, 500 g flour
- Kitchen 70°F, bulk 5 h, maybe 30% rise
- Result: gummy bottom, tunnels under the crust. **Under-fermented.**
""",
    """
## Loaf 4 (Mar 22)
- Same formula, straight-sided tub with tape at the start line
- Bulk 7 h until about 60% rise, domed, bubbles on the sides
- Cold retard 14 h, baked straight from the fridge, 20 min lid on at 480°F
- Open, even crumb. Shaping could be tighter; it spread a bit.
""",
    """
## Things to remember
- Starter peaks about 5 h after a 1:5:5 feed at 75°F.
- Rice flour in the banneton. No more sticking.
- Let the loaf cool at least an hour before cutting!
""",
)

note(
    "marathon-log",
    RUNNING,
    "Marathon block, week by week",
    "2025-06-09 07:15",
    "2025-10-13 09:00",
    """
## Plan
18 weeks, race on Oct 12. Four runs a week plus one bike day.
Long run builds to 20 miles, cutback every fourth week. Easy pace 10:30–11:15.
""",
    """
## Key sessions
- Wk 6: 14 mi, hit the wall at 13. Started gels every 35 min after this.
- Wk 9: 16 mi in the heat, dew point 72. Slowed down, no stomach issues with chews.
- Wk 15: 20 mi at 10:10 average, last 4 at goal pace. Confidence!
""",
    """
## Race day
4:24:51. Went out at 10:35 for three miles, held 10:15–10:20 to mile 20, then sped up.
Caffeine gel at mile 18 was a good call. Next time: more strength work for the calves.
""",
)

note(
    "rust-notes",
    RUST,
    "Rust notes: ownership, borrowing, lifetimes",
    "2025-02-26 21:00",
    "2025-06-15 22:40",
    """
## Ownership
- One owner per value; assignment moves non-`Copy` types.
- `&T` many readers, `&mut T` exactly one writer.
- Don't mutate a `Vec` while iterating it; use `retain` or `partition`.
""",
    """
## Lifetimes
- `'a` names a relationship, it doesn't extend anything.
- Structs with `&'a str` can't outlive the source string. Let the caller own the source.
- Spans (`start`, `end`) instead of slices avoid lifetimes entirely.
""",
    """
## Async
- `tokio::spawn` needs `'static`: share with `Arc`, move clones into `async move`.
- `buffer_unordered(n)` runs futures inside the current task, so borrowing is fine there.
""",
)

note(
    "japan-plan",
    JAPAN,
    "Japan itinerary v3",
    "2025-03-06 12:30",
    "2025-11-06 22:10",
    """
## Route (Nov 8–22)
Tokyo 5 nights (Ningyocho) → Hakone 1 night (ryokan) → Kyoto 4 nights (Kawaramachi)
→ Hiroshima / Miyajima 1 night → Osaka 2 nights (Namba) → fly home from KIX.
""",
    """
## Transport
- No JR Pass: individual Shinkansen tickets via smartEX, about ¥36,500 each.
- Suica in Apple Wallet for both of us.
- Suitcases by takkyubin from the Tokyo hotel to Kyoto; backpacks only for Hakone.
""",
    """
## To book
- [x] Ryokan in Hakone (asked about tattoos: private bath reserved)
- [x] Ruriko-in reservation
- [ ] Eikan-do night illumination tickets
- [ ] Himeji day trip: leave Kyoto around 8:30
""",
)

note(
    "plant-care",
    PLANTS,
    "Plant care cheat sheet",
    "2025-05-18 11:00",
    "2025-12-15 16:45",
    """
## Watering
| Plant | When | Notes |
|---|---|---|
| Pothos, monstera | top 2 in dry | less in winter |
| Calathea | keep lightly moist | filtered water only |
| Snake plant, succulents | fully dry | terracotta pots |
| Fiddle leaf | top 2 in dry | don't move it! |
""",
    """
## Pests
- Fungus gnats: dry top layer, sticky traps, BTI in the watering can for 4 weeks.
- Spider mites: shower, insecticidal soap every 5–7 days, raise humidity.
""",
    """
## Light
Grow light on the shelf: 12 h timer, about 100 PPFD at the pothos (DLI about 4.3).
""",
)

note(
    "money-plan",
    FINANCE,
    "Money plan 2025",
    "2025-01-06 20:00",
    "2025-12-31 15:30",
    """
## Priorities
1. 401(k) to 6% for the full match
2. Emergency fund: $10k in the high-yield savings account
3. Roth IRA: $583.33/month into a target-date index fund
4. Extra toward the car loan (5.9%)
""",
    """
## Sinking funds (monthly)
Car registration $15, car insurance $90, gifts $50, subscriptions $20, vet $33.
""",
    """
## Rules
- Rebalance when stocks drift 5 points from 80/20.
- Emergency fund = unexpected + necessary + urgent. Vacations are not emergencies.
""",
)

# --------------------------------------------------------------------------------------
# Building the export
# --------------------------------------------------------------------------------------


def _uid(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def _unit(*parts: str) -> float:
    """A stable pseudo-random number in [0, 1) derived from ``parts``."""
    digest = hashlib.sha256("/".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _epoch(when: str) -> float:
    return datetime.strptime(when, "%Y-%m-%d %H:%M").replace(tzinfo=UTC).timestamp()


def _default_model(when: str) -> str:
    return "gpt-4o" if when < "2025-08-07" else "gpt-5"


class _Tree:
    """Builds one conversation's ``mapping``; node ids equal message ids, as in real exports."""

    def __init__(self, spec: Conv) -> None:
        self.spec = spec
        self.model = spec.model or _default_model(spec.when)
        self.mapping: dict[str, dict[str, Any]] = {}
        self.clock = _epoch(spec.when) + 60 * _unit(spec.key, "start")
        self.count = 0
        self.request_id = ""
        self.results: list[tuple[int, str, str]] = []
        root = _uid(spec.key, "node", "root")
        self.mapping[root] = {"id": root, "message": None, "parent": None, "children": []}
        self.cursor = root
        self.cursor = self._add(self._system(), root)

    def _tick(self, lo: float, hi: float) -> float:
        self.clock += lo + (hi - lo) * _unit(self.spec.key, "tick", str(self.count))
        return round(self.clock, 6)

    def _add(self, message: dict[str, Any], parent: str) -> str:
        node_id = message["id"]
        if message["author"]["role"] in ("assistant", "tool"):
            message["metadata"]["parent_id"] = parent
        self.mapping[node_id] = {
            "id": node_id,
            "message": message,
            "parent": parent,
            "children": [],
        }
        self.mapping[parent]["children"].append(node_id)
        return node_id

    def _message(
        self, role: str, content: dict[str, Any], created: float | None, **extra: Any
    ) -> dict[str, Any]:
        self.count += 1
        message = {
            "id": _uid(self.spec.key, "message", str(self.count)),
            "author": {"role": role, "name": extra.pop("name", None), "metadata": {}},
            "create_time": created,
            "update_time": None,
            "content": content,
            "status": "finished_successfully",
            "end_turn": extra.pop("end_turn", None),
            "weight": extra.pop("weight", 1.0),
            "metadata": extra.pop("metadata", {}),
            "recipient": extra.pop("recipient", "all"),
            "channel": None,
        }
        assert not extra, extra
        return message

    def _system(self) -> dict[str, Any]:
        return self._message(
            "system",
            {"content_type": "text", "parts": [""]},
            None,
            end_turn=True,
            weight=0.0,
            metadata={"is_visually_hidden_from_conversation": True},
        )

    def _user(self, text: str, attachment: dict[str, Any] | None = None) -> dict[str, Any]:
        self.request_id = _uid(self.spec.key, "request", str(self.count))
        first = self.count == 1
        created = self._tick(0, 0) if first else self._tick(40, 420)
        metadata: dict[str, Any] = {
            "selected_github_repos": [],
            "serialization_metadata": {"custom_symbol_offsets": []},
            "request_id": self.request_id,
            "message_source": None,
            "timestamp_": "absolute",
            "message_type": None,
        }
        content: dict[str, Any] = {"content_type": "text", "parts": [text]}
        if attachment:
            file_id = "file-" + hashlib.sha256(self.spec.key.encode()).hexdigest()[:22]
            pointer = {
                "content_type": "image_asset_pointer",
                "asset_pointer": f"file-service://{file_id}",
                "size_bytes": attachment["size"],
                "width": attachment["w"],
                "height": attachment["h"],
                "fovea": None,
                "metadata": None,
            }
            content = {"content_type": "multimodal_text", "parts": [pointer, text]}
            metadata["attachments"] = [
                {
                    "id": file_id,
                    "size": attachment["size"],
                    "name": attachment["name"],
                    "mime_type": "image/jpeg",
                    "width": attachment["w"],
                    "height": attachment["h"],
                }
            ]
        return self._message("user", content, created, metadata=metadata)

    def _assistant_metadata(self, **extra: Any) -> dict[str, Any]:
        return {
            "finish_details": {"type": "stop", "stop_tokens": [200002]},
            "is_complete": True,
            "citations": [],
            "content_references": [],
            "message_type": None,
            "model_slug": self.model,
            "default_model_slug": self.model,
            "request_id": self.request_id,
            "timestamp_": "absolute",
            **extra,
        }

    def _citations(self, text: str) -> list[dict[str, Any]]:
        by_index = {index: (title, url) for index, title, url in self.results}
        citations = []
        for match in _CITATION.finditer(text):
            title, url = by_index[int(match.group(1))]
            citations.append(
                {
                    "start_ix": match.start(),
                    "end_ix": match.end(),
                    "citation_format_type": "tether_og",
                    "metadata": {
                        "type": "webpage",
                        "title": title,
                        "url": url,
                        "text": "",
                        "pub_date": None,
                        "extra": {
                            "cited_message_idx": int(match.group(1)),
                            "search_result_idx": None,
                            "evidence_text": "source",
                        },
                    },
                }
            )
        return citations

    def _assistant(self, text: str) -> dict[str, Any]:
        created = self._tick(4 + len(text) / 180, 9 + len(text) / 120)
        metadata = self._assistant_metadata(citations=self._citations(text))
        content = {"content_type": "text", "parts": [text]}
        return self._message("assistant", content, created, end_turn=True, metadata=metadata)

    def _call(self, code: str) -> dict[str, Any]:
        created = self._tick(2, 5)
        content = {
            "content_type": "code",
            "language": "unknown",
            "response_format_name": None,
            "text": code,
        }
        metadata = self._assistant_metadata(finish_details={"type": "stop"})
        return self._message(
            "assistant", content, created, end_turn=False, recipient="web", metadata=metadata
        )

    def _tool(self, text: str, results: list[tuple[int, str, str]]) -> dict[str, Any]:
        self.results = results
        created = self._tick(3, 8)
        metadata = {
            "_cite_metadata": {
                "citation_format": {"name": "tether_og"},
                "metadata_list": [
                    {"type": "webpage", "title": title, "url": url, "text": ""}
                    for _, title, url in results
                ],
                "original_query": None,
            },
            "command": "search",
            "status": "finished",
            "is_complete": True,
            "model_slug": self.model,
            "request_id": self.request_id,
            "timestamp_": "absolute",
        }
        content = {"content_type": "text", "parts": [text]}
        return self._message("tool", content, created, name="web", metadata=metadata)

    def add_turn(self, turn: Turn) -> None:
        kind = turn[0]
        if kind == "edited":
            # The first version of the user message and its answer stay in the tree as a
            # sibling branch; the edit that follows hangs off the same parent.
            old = self._add(self._user(turn[1]), self.cursor)
            self._add(self._assistant(turn[2]), old)
        elif kind == "regen":
            # The first answer stays as a sibling of the regenerated one.
            self._add(self._assistant(turn[1]), self.cursor)
        elif kind == "user":
            self.cursor = self._add(self._user(turn[1]), self.cursor)
        elif kind == "image":
            self.cursor = self._add(self._user(turn[1], turn[2]), self.cursor)
        elif kind == "assistant":
            self.cursor = self._add(self._assistant(turn[1]), self.cursor)
        elif kind == "call":
            self.cursor = self._add(self._call(turn[1]), self.cursor)
        elif kind == "tool":
            self.cursor = self._add(self._tool(turn[1], turn[2]), self.cursor)
        else:
            raise ValueError(f"unknown turn kind {kind!r} in {self.spec.key}")


def build_conversation(spec: Conv) -> dict[str, Any]:
    tree = _Tree(spec)
    for turn in spec.turns:
        tree.add_turn(turn)
    times = [
        node["message"]["create_time"]
        for node in tree.mapping.values()
        if node["message"] and node["message"]["create_time"]
    ]
    conversation_id = _uid(spec.key, "conversation")
    return {
        "title": spec.title,
        "create_time": round(min(times) - 0.4 - _unit(spec.key, "created"), 6),
        "update_time": round(max(times) + 1 + 3 * _unit(spec.key, "updated"), 6),
        "mapping": tree.mapping,
        "moderation_results": [],
        "current_node": tree.cursor,
        "plugin_ids": None,
        "conversation_id": conversation_id,
        "conversation_template_id": None,
        "gizmo_id": None,
        "gizmo_type": None,
        "is_archived": False,
        "is_starred": None,
        "safe_urls": [],
        "blocked_urls": [],
        "default_model_slug": tree.model,
        "conversation_origin": None,
        "voice": None,
        "async_status": None,
        "disabled_tool_ids": [],
        "is_do_not_remember": False,
        "memory_scope": "global_enabled",
        "id": conversation_id,
    }


def build_note(spec: Note) -> dict[str, Any]:
    note_id = _uid(spec.key, "note")
    return {
        "id": note_id,
        "title": spec.title,
        "sections": [
            {"id": _uid(spec.key, "section", str(index)), "content": content}
            for index, content in enumerate(spec.sections)
        ],
        "source_type": "markdown",
        "create_time": _epoch(spec.created),
        "update_time": _epoch(spec.updated),
    }


def _path_to_root(conversation: dict[str, Any]) -> list[str]:
    mapping = conversation["mapping"]
    path: list[str] = []
    node: str | None = conversation["current_node"]
    while node is not None:
        if node in path or node not in mapping:
            raise ValueError(f"{conversation['title']}: broken path at {node}")
        path.append(node)
        node = mapping[node]["parent"]
    return path


def validate(conversations: list[dict[str, Any]], topics: dict[str, str]) -> None:
    """Check the invariants the sample promises; raise on the first problem."""
    ids = [c["id"] for c in conversations]
    node_ids = [n for c in conversations for n in c["mapping"]]
    if len(set(ids)) != len(ids) or len(set(node_ids)) != len(node_ids):
        raise ValueError("duplicate conversation or node ids")
    for conversation in conversations:
        mapping = conversation["mapping"]
        path = _path_to_root(conversation)
        root = mapping[path[-1]]
        if root["message"] is not None or len(path) < 4:
            raise ValueError(f"{conversation['title']}: bad root or too short")
        for node_id, node in mapping.items():
            for child in node["children"]:
                if mapping[child]["parent"] != node_id:
                    raise ValueError(f"{conversation['title']}: child {child} disagrees")
    counts = {topic: list(topics.values()).count(topic) for topic in TOPICS}
    if len(topics) != len(ids) or any(not 9 <= n <= 11 for n in counts.values()):
        raise ValueError(f"unbalanced topics: {counts}")


def main() -> None:
    conversations = [build_conversation(spec) for spec in CONVERSATIONS]
    topics = {
        conv["id"]: spec.topic for conv, spec in zip(conversations, CONVERSATIONS, strict=True)
    }
    validate(conversations, topics)
    notes = [build_note(spec) for spec in NOTES]
    topics.update({n["id"]: spec.topic for n, spec in zip(notes, NOTES, strict=True)})
    # Real exports list the most recently updated conversation first.
    conversations.sort(key=lambda c: c["update_time"], reverse=True)

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    files = {
        "conversations.json": (conversations, 1),
        "notes.json": ({"source_nodes": notes}, 1),
        "topics.json": (topics, 1),
    }
    for name, (data, indent) in files.items():
        text = json.dumps(data, ensure_ascii=False, indent=indent) + "\n"
        (OUT_DIR / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(conversations)} conversations and {len(notes)} notes to {OUT_DIR}")


if __name__ == "__main__":
    main()
