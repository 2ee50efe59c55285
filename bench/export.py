"""Writes a generated WordPress export (WXR 1.2): the benchmarks' stress
test of the export reader.

POSTS published posts (10,000 by default) with COMMENTS approved comments
(50,000) spread over them, in WordPress's stored markup: blank-line
paragraphs, block-editor comments, lists; plus drafts, pending and spam
comments that are not indexed. The words are drawn from the Snowball French
vocabulary of the stemmer test. Deterministic: the same arguments write the
same file.

Usage: python3 bench/export.py VOCABULARY OUT_FILE [POSTS [COMMENTS]]
"""
import pathlib
import random
import sys

vocabulary_file, out = sys.argv[1], pathlib.Path(sys.argv[2])
posts = int(sys.argv[3]) if len(sys.argv) > 3 else 10_000
comments = int(sys.argv[4]) if len(sys.argv) > 4 else 50_000
vocabulary = pathlib.Path(vocabulary_file).read_text(encoding="utf-8").split()
rng = random.Random(2026)
stop_words = ["le", "la", "les", "de", "des", "et", "à", "en", "un", "une", "que",
              "qui", "dans", "pour", "sur", "au", "du", "ne", "pas", "est", "il", "elle"]
authors = [f"{rng.choice(vocabulary).capitalize()} {rng.choice(vocabulary).capitalize()}"
           for _ in range(400)]


def sentence(words=(6, 24)):
    out = [rng.choice(stop_words) if rng.random() < 0.38 else rng.choice(vocabulary)
           for _ in range(rng.randint(*words))]
    out[0] = out[0][:1].upper() + out[0][1:]
    return " ".join(out) + rng.choice([".", ".", ".", "\u202f?", "\u202f!"])


def paragraph():
    return " ".join(sentence() for _ in range(rng.randint(1, 4)))


def content():
    parts = []
    for _ in range(rng.randint(3, 12)):
        if rng.random() < 0.15:
            items = "\n".join(f"<li>{sentence()}</li>" for _ in range(rng.randint(2, 6)))
            parts.append(f"<!-- wp:paragraph -->\n<p>{sentence()[:-1]} :</p>\n<!-- /wp:paragraph -->"
                         f"\n\n<!-- wp:list -->\n<ul>\n{items}\n</ul>\n<!-- /wp:list -->")
        elif rng.random() < 0.5:
            parts.append(paragraph())
        else:
            parts.append(f"<!-- wp:paragraph -->\n<p>{paragraph()}</p>\n<!-- /wp:paragraph -->")
    return "\n\n".join(parts)


def cdata(text):
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def comment(cid, approved):
    text = "\n\n".join(paragraph() for _ in range(rng.randint(1, 3)))
    day = rng.randint(1, 28)
    return (f"\t\t<wp:comment><wp:comment_id>{cid}</wp:comment_id>"
            f"<wp:comment_author>{cdata(rng.choice(authors))}</wp:comment_author>"
            f"<wp:comment_date>{cdata(f'2012-03-{day:02} 10:00:00')}</wp:comment_date>"
            f"<wp:comment_content>{cdata(text)}</wp:comment_content>"
            f"<wp:comment_approved>{cdata(approved)}</wp:comment_approved>"
            f"<wp:comment_type>{cdata('comment')}</wp:comment_type>"
            f"<wp:comment_parent>0</wp:comment_parent></wp:comment>\n")


with out.open("w", encoding="utf-8") as f:
    f.write('<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
            '\t<title>Blog</title>\n\t<wp:wxr_version>1.2</wp:wxr_version>\n')
    per_post = [0] * posts
    for _ in range(comments):
        per_post[rng.randrange(posts)] += 1
    cid = 0
    for n in range(posts + posts // 20):
        draft = n >= posts
        title = sentence((3, 9))[:-1]
        year, month = 2005 + n % 20, 1 + n % 12
        f.write(f"\t<item>\n\t\t<title>{cdata(title)}</title>\n"
                f"\t\t<link>https://blog.exemple.fr/{year}/{month:02}/billet-{n}/</link>\n"
                f"\t\t<dc:creator>{cdata('auteur')}</dc:creator>\n"
                f"\t\t<content:encoded>{cdata(content())}</content:encoded>\n"
                f"\t\t<wp:post_id>{n + 1}</wp:post_id>\n"
                f"\t\t<wp:post_date>{cdata(f'{year}-{month:02}-15 09:00:00')}</wp:post_date>\n"
                f"\t\t<wp:post_name>{cdata(f'billet-{n}')}</wp:post_name>\n"
                f"\t\t<wp:status>{cdata('draft' if draft else 'publish')}</wp:status>\n"
                f"\t\t<wp:post_type>{cdata('post')}</wp:post_type>\n"
                f"\t\t<wp:post_password>{cdata('')}</wp:post_password>\n")
        for _ in range(0 if draft else per_post[n]):
            cid += 1
            f.write(comment(cid, "1"))
        if n % 10 == 0:
            cid += 1
            f.write(comment(cid, rng.choice(["0", "spam", "trash"])))
        f.write("\t</item>\n")
    f.write("</channel>\n</rss>\n")
