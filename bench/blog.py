"""Writes a generated French blog: the benchmarks' everyday-scale corpus.

POSTS posts (10,000 by default) in the copied-page format of `corpus/`,
one file per post under YEAR/MONTH/, each with a title, paragraphs, lists
with the line that introduces them, an author block, readers' comments
(some of them posted twice, as on the seed post) and now and then a
pingback. The words are drawn from the Snowball French vocabulary of the
stemmer test, with the stop words, elisions and accents of real French
text. Deterministic: the same arguments write the same files.

Usage: python3 bench/blog.py VOCABULARY OUT_DIR [POSTS]
"""
import pathlib
import random
import sys

vocabulary_file, out = sys.argv[1], pathlib.Path(sys.argv[2])
posts = int(sys.argv[3]) if len(sys.argv) > 3 else 10_000
vocabulary = pathlib.Path(vocabulary_file).read_text(encoding="utf-8").split()
rng = random.Random(2026)
stop_words = ["le", "la", "les", "de", "des", "et", "à", "en", "un", "une", "que",
              "qui", "dans", "pour", "sur", "au", "du", "ne", "pas", "est", "il", "elle"]
elisions = ["l’", "d’", "qu’", "n’", "s’", "L’", "j’", "c’"]
authors = [f"{rng.choice(vocabulary).capitalize()} {rng.choice(vocabulary).capitalize()}"
           for _ in range(400)]


def sentence(words=(6, 24)):
    out = []
    for _ in range(rng.randint(*words)):
        draw = rng.random()
        word = rng.choice(vocabulary)
        if draw < 0.38:
            word = rng.choice(stop_words)
        elif draw < 0.45 and word[0] in "aeiouéèhy":
            word = rng.choice(elisions) + word
        out.append(word)
    out[0] = out[0][:1].upper() + out[0][1:]
    return " ".join(out) + rng.choice([".", ".", ".", "\u202f?", "\u202f!"])


def paragraph():
    return " ".join(sentence() for _ in range(rng.randint(1, 5)))


def post():
    title = sentence((3, 9)).rstrip(".?! \u202f")
    comments = rng.randint(0, 10)
    lines = [f"{title} {comments}" if comments else title, ""]
    for _ in range(rng.randint(3, 12)):
        if rng.random() < 0.2:
            lines += [sentence((5, 12))[:-1] + " :", ""]
            lines += [f"  • {sentence()}" for _ in range(rng.randint(2, 6))]
        else:
            lines.append(paragraph())
        lines.append("")
    lines += ["Auteur du billet :", "", paragraph(), ""]
    said = []
    for _ in range(comments):
        if said and rng.random() < 0.05:
            text = rng.choice(said)  # a comment posted twice
        else:
            text = [f"    {sentence()}" for _ in range(rng.randint(1, 4))]
            said.append(text)
        lines += [f"  • {rng.choice(authors)}", ""] + text + [""]
    if rng.random() < 0.1:
        lines += [f"  • Pingback: {sentence((3, 8))[:-1]} – {rng.choice(vocabulary)}", ""]
    return "\n".join(lines)


for n in range(posts):
    year, month = 2010 + n * 15 // posts, 1 + n % 12
    folder = out / str(year) / f"{month:02}"
    folder.mkdir(parents=True, exist_ok=True)
    slug = "-".join(rng.choice(vocabulary) for _ in range(3))
    (folder / f"{n:05}-{slug}.txt").write_text(post(), encoding="utf-8")
