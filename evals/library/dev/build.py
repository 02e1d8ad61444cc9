"""Build the PDF and DOCX documents of the dev library set.

Run with: /work/main/.venv/bin/python build.py
Writes the files next to this script. The documents' text is held in this file.
"""
import os

from fpdf import FPDF
import docx
from docx.shared import Pt

HERE = os.path.dirname(os.path.abspath(__file__))


class RunningPDF(FPDF):
    def __init__(self, header_text, footer_label):
        super().__init__(format="A4")
        self.header_text = header_text
        self.footer_label = footer_label
        self.set_margins(20, 22, 20)
        self.set_auto_page_break(True, margin=22)

    def header(self):
        self.set_font("Helvetica", "", 8)
        self.set_text_color(90, 90, 90)
        self.set_y(10)
        self.cell(0, 5, self.header_text, align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(160, 160, 160)
        self.line(20, 16, 190, 16)
        self.set_y(22)
        self.set_text_color(0, 0, 0)

    def footer(self):
        self.set_y(-14)
        self.set_font("Helvetica", "", 8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}} | {self.footer_label}", align="C")
        self.set_text_color(0, 0, 0)


def check_ascii(name, text):
    bad = sorted({c for c in text if ord(c) > 126})
    if bad:
        raise SystemExit(f"{name}: non-ASCII characters in PDF text: {bad!r}")


def build_pdf(spec):
    pdf = RunningPDF(spec["header"], spec["footer"])
    if spec.get("title"):
        pdf.set_title(spec["title"])
    if spec.get("author"):
        pdf.set_author(spec["author"])
    pdf.add_page()
    for block in spec["blocks"]:
        kind = block[0]
        if kind == "pagebreak":
            pdf.add_page()
            continue
        text = block[1]
        check_ascii(spec["file"], text if isinstance(text, str) else " ".join(map(str, text)))
        if kind == "title":
            pdf.set_font("Helvetica", "B", 18)
            pdf.multi_cell(0, 9, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
        elif kind == "subtitle":
            pdf.set_font("Helvetica", "", 12)
            pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(4)
        elif kind == "h1":
            pdf.ln(2)
            pdf.set_font("Helvetica", "B", 14)
            pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        elif kind == "h2":
            pdf.ln(1)
            pdf.set_font("Helvetica", "B", 11.5)
            pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        elif kind == "p":
            pdf.set_font("Helvetica", "", 10.5)
            pdf.multi_cell(0, 5.5, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2.5)
        elif kind in ("ul", "ol"):
            pdf.set_font("Helvetica", "", 10.5)
            for i, item in enumerate(text, 1):
                check_ascii(spec["file"], item)
                marker = "-" if kind == "ul" else f"{i}."
                pdf.set_x(26)
                pdf.cell(7, 5.5, marker)
                pdf.multi_cell(0, 5.5, item, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(1)
            pdf.ln(1.5)
        elif kind == "table":
            rows = text
            ncol = len(rows[0])
            widths = block[2] if len(block) > 2 else [170 / ncol] * ncol
            pdf.set_font("Helvetica", "", 9.5)
            with pdf.table(col_widths=widths, line_height=5, text_align="LEFT",
                           first_row_as_headings=True) as table:
                for row in rows:
                    r = table.row()
                    for cell in row:
                        check_ascii(spec["file"], cell)
                        r.cell(cell)
            pdf.ln(3)
        else:
            raise ValueError(kind)
    out = os.path.join(HERE, spec["file"])
    pdf.output(out)
    return out


def build_docx(spec):
    d = docx.Document()
    style = d.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(11)
    if spec.get("title"):
        d.core_properties.title = spec["title"]
    else:
        d.core_properties.title = ""
    if spec.get("author"):
        d.core_properties.author = spec["author"]
    for block in spec["blocks"]:
        kind = block[0]
        if kind == "pagebreak":
            d.add_page_break()
            continue
        text = block[1]
        if kind == "title":
            d.add_heading(text, level=0)
        elif kind == "h1":
            d.add_heading(text, level=1)
        elif kind == "h2":
            d.add_heading(text, level=2)
        elif kind == "h3":
            d.add_heading(text, level=3)
        elif kind == "p":
            d.add_paragraph(text)
        elif kind == "bold":
            para = d.add_paragraph()
            run = para.add_run(text)
            run.bold = True
            if len(block) > 2:
                run.font.size = Pt(block[2])
        elif kind == "ul":
            for item in text:
                d.add_paragraph(item, style="List Bullet")
        elif kind == "ol":
            for item in text:
                d.add_paragraph(item, style="List Number")
        elif kind == "table":
            rows = text
            t = d.add_table(rows=len(rows), cols=len(rows[0]))
            t.style = "Table Grid"
            for i, row in enumerate(rows):
                for j, cell in enumerate(row):
                    c = t.cell(i, j)
                    c.text = cell
                    if i == 0:
                        for run in c.paragraphs[0].runs:
                            run.bold = True
            d.add_paragraph("")
        else:
            raise ValueError(kind)
    out = os.path.join(HERE, spec["file"])
    d.save(out)
    return out


# ---------------------------------------------------------------------------
# PDF documents (ASCII only, Helvetica)
# ---------------------------------------------------------------------------

NORTHGATE = {
    "file": "download-2.pdf",
    "title": "Northgate Ltd - Mentoring Programme Handbook 2026",
    "author": "Northgate Learning & Development",
    "header": "Northgate Ltd - Mentoring Programme Handbook 2026",
    "footer": "Internal",
    "blocks": [
        ("title", "Mentoring Programme Handbook 2026"),
        ("subtitle", "Northgate Ltd | Learning & Development | For mentees, mentors and line managers"),
        ("h1", "1. Welcome and purpose"),
        ("p", "The Northgate Mentoring Programme pairs colleagues with an experienced mentor from another part of the business for one year. The programme exists to help people build skills and confidence, understand the wider organisation and make better-informed decisions about their careers. It is not a route to promotion in itself, and it is not a substitute for regular conversations with your line manager."),
        ("p", "This handbook explains how the 2026 programme works: who can apply, how matching is done, what is expected of each person, how meetings should run, and what to do if a mentoring relationship needs to end early. Please read it before your first meeting and keep it for reference. Where this handbook differs from older guidance on the intranet, this handbook applies."),
        ("h1", "2. Programme structure"),
        ("h2", "2.1 Eligibility"),
        ("p", "Mentees must be employed on grades N3 to N6, have passed their probation period, and not be subject to a formal performance improvement plan at the time of application. Part-time colleagues and colleagues on fixed-term contracts of more than 12 months are welcome to apply. Mentors are normally on grade N6 or above and must have completed the half-day Northgate Mentor Foundations workshop."),
        ("h2", "2.2 Applying"),
        ("p", "Applications for the 2026 programme open on 5 January and close on 30 January 2026. Mentees complete the application form on LearnHub, describing up to three development goals. Because mentoring takes place in working time, your line manager must approve your application. Your manager approves the time commitment only; they are not told your goals or anything discussed in mentoring."),
        ("h2", "2.3 Matching"),
        ("p", "Matching is carried out by a matching panel of three members of the Learning & Development team, which meets during February. The panel considers each mentee's goals alongside the mentor profiles, and applies the following rules:"),
        ("ul", [
            "The mentor must be at least two grades senior to the mentee.",
            "The mentor must not be in the mentee's line management chain or in the same function reporting line.",
            "Where possible, mentor and mentee work on the same site or in compatible locations for in-person meetings.",
            "Each mentor is matched with no more than two mentees in a programme year.",
        ]),
        ("p", "Each mentee then receives a shortlist of two mentor profiles. The mentee arranges a 20-minute chemistry call with their preferred mentor before confirming the match. If the chemistry call does not feel right, the mentee may speak to the second mentor instead, without needing to give a reason. Matches are confirmed by 6 March 2026."),
        ("h2", "2.4 The mentoring agreement"),
        ("p", "Within two weeks of the first meeting, mentor and mentee complete the Northgate Mentoring Agreement together and upload it to LearnHub. The agreement records goals, meeting arrangements, confidentiality and how the pair will give each other feedback. It is visible only to the pair and to the programme coordinator."),
        ("pagebreak",),
        ("h1", "3. Roles and responsibilities"),
        ("h2", "3.1 Mentee"),
        ("p", "The mentee drives the relationship. This means booking meetings, preparing topics in advance, following up on agreed actions and keeping the meeting log up to date on LearnHub. Mentees should come to each meeting with something they want to work on, rather than expecting the mentor to set the agenda."),
        ("h2", "3.2 Mentor"),
        ("p", "The mentor listens, asks questions, shares experience where useful, and helps the mentee think through options. Mentors are not expected to solve problems for their mentee or to intervene with the mentee's manager. Mentors attend a mid-year peer supervision session with other mentors."),
        ("h2", "3.3 Line manager"),
        ("p", "The line manager releases time for mentoring meetings and supports the mentee in applying what they learn. Managers should not ask mentees to report on the content of mentoring conversations."),
        ("h2", "3.4 Programme coordinator"),
        ("p", "The programme coordinator in Learning & Development runs the matching process, monitors meeting logs, arranges the mid-point review, handles requests for rematching or ending early, and is the first point of contact for any concern about the programme."),
        ("h1", "4. Meetings"),
        ("h2", "4.1 Frequency and length"),
        ("p", "The programme runs for 12 months. For the first three months, pairs meet fortnightly for around 45 minutes, to build momentum and trust. From month four, pairs meet monthly. Over the year, pairs are expected to hold a minimum of 10 meetings. Meetings may be in person or by video; we recommend that at least the first meeting is in person if you are on the same site."),
        ("h2", "4.2 Logging meetings"),
        ("p", "The mentee logs each meeting on LearnHub within one week, recording the date and duration only. Do not record the content of conversations in LearnHub. If three consecutive months pass with no logged meeting, the coordinator will contact both people to check in."),
        ("h2", "4.3 Shadowing and extras"),
        ("p", "Pairs may agree that the mentee shadows the mentor for a day, attends a meeting as an observer, or is introduced to colleagues in the mentor's network. These activities must be agreed with the mentee's line manager if they take the mentee away from their normal work for more than half a day."),
        ("pagebreak",),
        ("h1", "5. Confidentiality and boundaries"),
        ("p", "Mentoring conversations are confidential to the pair. Mentors do not discuss their mentee with the mentee's line manager, with HR or with other colleagues, except in the following circumstances: where there is a risk of harm to the mentee or to others; where the mentor becomes aware of a breach of law or of the Northgate Code of Conduct; or where the mentee asks the mentor to raise something on their behalf."),
        ("p", "Mentors do not discuss performance ratings or pay. If a mentor sits on a calibration or promotion panel that will consider their mentee, the mentor must declare the conflict to the panel chair and step out of that discussion. Mentors should not act as advocates for their mentee in talent processes while the formal mentoring relationship is running."),
        ("p", "If a mentee raises a concern about bullying, harassment, discrimination or their wellbeing, the mentor should listen, avoid giving legal or medical advice, and point the mentee to the appropriate support described in section 7."),
        ("h1", "6. Mid-point review and ending"),
        ("h2", "6.1 Mid-point review"),
        ("p", "In month six, both mentor and mentee complete a short review form on LearnHub. The form asks about progress towards goals, how well meetings are working, and whether goals should be revised for the second half of the year. The coordinator reads the forms and contacts any pair where either person has indicated a problem."),
        ("h2", "6.2 Ending early (no-fault ending)"),
        ("p", "Sometimes a mentoring relationship does not work, or circumstances change. Either the mentor or the mentee may end the relationship after the first three months by notifying the programme coordinator by email. This is called a no-fault ending: no reason is required and it is not recorded against either person. We recommend one closing meeting to reflect on what has been achieved."),
        ("p", "Before the three-month point, we ask that either person who wants to end the relationship speaks to the programme coordinator first. The coordinator will listen, may suggest ways to get the relationship back on track, and can arrange one rematch for the mentee if appropriate. Rematches are only available within the first three months, because later in the year there is not enough time left to build a new relationship."),
        ("h2", "6.3 Graduation"),
        ("p", "The 2026 programme closes with a graduation event in January 2027. Mentees who have logged at least 10 meetings and completed the mid-point review receive a programme certificate, and mentors receive recognition in the annual Northgate Learning Awards. Many pairs choose to continue meeting informally after the programme ends; this is encouraged but no longer supported by the coordinator."),
        ("pagebreak",),
        ("h1", "7. Support and contacts"),
        ("ul", [
            "Programme coordinator: mentoring@northgate.example, for matching, rematching, ending early and general questions.",
            "Your HR Business Partner, for concerns about conduct, bullying, harassment or discrimination, or if you are unsure whether something should be raised formally.",
            "Employee Assistance Programme, 24 hours a day, for confidential support with personal, financial or emotional issues. Details are on the wellbeing pages of the intranet.",
            "Occupational Health, via your line manager or HR, for health issues affecting work.",
        ]),
        ("h1", "8. Key dates for 2026"),
        ("table", [
            ["Date", "What happens"],
            ["5 January 2026", "Applications open on LearnHub"],
            ["30 January 2026", "Applications close"],
            ["February 2026", "Matching panel meets; shortlists sent to mentees"],
            ["by 6 March 2026", "Chemistry calls completed and matches confirmed"],
            ["March to May 2026", "Fortnightly meetings (first three months)"],
            ["September 2026", "Mid-point review forms due"],
            ["January 2027", "Programme closes; graduation event"],
        ], [50, 120]),
        ("p", "Thank you for taking part. Mentoring works best when both people are curious, honest and prepared, and when the mentee takes ownership of what they want to get from it."),
    ],
}


HARLOW = {
    "file": "Flexible_Working_Policy_v2.pdf",
    "title": "Flexible Working Policy (HR-POL-07)",
    "author": "Harlow Vale District Council - People Services",
    "header": "Harlow Vale District Council - Flexible Working Policy (HR-POL-07, v2.1)",
    "footer": "Official",
    "blocks": [
        ("title", "Flexible Working Policy"),
        ("subtitle", "Harlow Vale District Council | People Services | Policy HR-POL-07 | Version 2.1 | Review date: April 2027"),
        ("h1", "1. Purpose and scope"),
        ("p", "Harlow Vale District Council recognises that flexible working can help employees balance work with caring responsibilities, health, study and other commitments, and that it can improve wellbeing, retention and service delivery. This policy explains the types of flexible working available, how to make a request, how requests are considered, and how to appeal a decision."),
        ("p", "The policy applies to all employees of the Council from their first day of employment. It does not apply to agency workers, who should raise any request with their agency. Separate arrangements apply to school-based staff."),
        ("h1", "2. Types of flexible working"),
        ("p", "Employees may request any change to their hours, times or place of work. Common arrangements include:"),
        ("ul", [
            "Part-time working: working fewer contracted hours per week.",
            "Compressed hours: working full-time hours over fewer days, for example a nine-day fortnight.",
            "Job share: two employees sharing the duties of one full-time post.",
            "Term-time working: working during school terms only, with pay spread evenly across the year.",
            "Flexitime: varying start and finish times around core hours of 10:00 to 12:00 and 14:00 to 16:00.",
            "Hybrid working: a regular pattern of working partly from home and partly from a Council location.",
            "Annualised hours: an agreed number of hours worked across the year, with some variation between seasons.",
            "Phased retirement: a gradual reduction in hours in the years before retirement.",
        ]),
        ("h1", "3. Making a request"),
        ("h2", "3.1 Who can ask and how often"),
        ("p", "Any employee may make a formal flexible working request from their first day of employment. You may make up to two formal requests in any 12-month period. Informal, short-term changes (see section 7) do not count towards this limit."),
        ("h2", "3.2 How to apply"),
        ("p", "Complete form FW1 on the People Services portal and send it to your line manager. Your request should include:"),
        ("ol", [
            "The working pattern you are asking for and the date you would like it to start.",
            "Whether you have made a previous request, and if so when.",
            "Any effect you think the change might have on your team or service, and how that could be managed. You are not required to provide this, but it often helps the request to be agreed.",
        ]),
        ("p", "You do not have to give your reasons for asking. You may choose to explain them if you think it will help your manager understand the request, for example if the request relates to a disability or caring responsibilities."),
        ("pagebreak",),
        ("h1", "4. How requests are considered"),
        ("h2", "4.1 Meeting"),
        ("p", "Your manager will arrange to meet you to discuss the request within 14 calendar days of receiving it. You may be accompanied by a work colleague or trade union representative. The meeting is a conversation, not a hearing; its purpose is to understand the request and explore whether it, or an alternative, could work."),
        ("h2", "4.2 Timescale for a decision"),
        ("p", "The Council will give you a decision, including the outcome of any appeal, within two months of receiving your request, unless you agree to an extension. Your manager will confirm the decision in writing."),
        ("h2", "4.3 Reasons for refusal"),
        ("p", "A request may only be refused for one or more of the following business reasons, and the manager must explain in writing why the reason applies:"),
        ("ul", [
            "The burden of additional costs.",
            "A detrimental effect on the ability to meet customer or resident demand.",
            "Inability to reorganise work among existing staff.",
            "Inability to recruit additional staff.",
            "A detrimental impact on quality.",
            "A detrimental impact on performance.",
            "Insufficient work during the periods the employee proposes to work.",
            "Planned structural changes.",
        ]),
        ("p", "Before refusing, managers are expected to consider alternatives, such as a different pattern, a trial period, or a change for a limited time."),
        ("h1", "5. Trial periods"),
        ("p", "Where it is unclear whether an arrangement will work, the manager may agree a trial period of up to three months. A review meeting takes place before the end of the trial. If the arrangement is confirmed, it becomes a permanent change to your contract unless both parties agree that it should be temporary."),
        ("pagebreak",),
        ("h1", "6. Appeals"),
        ("p", "If your request is refused, you may appeal in writing to People Services within 10 working days of receiving the decision, setting out why you disagree. The appeal will be heard by a manager more senior than the one who made the original decision, who has not previously been involved. The appeal decision is final and will be given in writing within the two-month overall timescale."),
        ("h1", "7. Informal arrangements"),
        ("p", "Many changes can be agreed informally between you and your manager without a formal request, for example leaving early one day a week for a short course, or working from home for a few weeks after an operation. Informal arrangements should be confirmed by email and reviewed regularly. They do not change your contract and can be ended by either side with reasonable notice."),
        ("h1", "8. Wellbeing, workload and career development"),
        ("p", "Flexible working is not a reason to expect the same workload in fewer hours. When a change of hours is agreed, the manager and employee must review objectives and workload together and agree what will change. If you find that you are regularly working beyond your agreed hours, raise it with your manager or People Services."),
        ("p", "Flexible working must not affect your access to training, mentoring, development opportunities or promotion. Employees on part-time or compressed patterns remain eligible for the Council's Aspiring Leaders programme and its mentoring scheme, and meetings should be scheduled on working days. If you believe a flexible arrangement is affecting your career development, speak to your manager or your People Services adviser."),
        ("p", "Employees experiencing stress may also contact the Employee Assistance Programme, which offers confidential counselling, or request a referral to Occupational Health."),
        ("h1", "9. Related policies"),
        ("ul", [
            "Hybrid Working Guidance for Managers",
            "Carers' Leave Procedure",
            "Managing Stress at Work Policy",
            "Grievance Procedure",
        ]),
    ],
}


KESTREL = {
    "file": "accelerate-participant-guide.pdf",
    "title": None,
    "header": "Kestrel Bank - Accelerate Sponsorship Programme | Participant Guide | Cohort 4",
    "footer": "Internal - do not forward",
    "blocks": [
        ("title", "Accelerate: Participant Guide"),
        ("subtitle", "Kestrel Bank sponsorship programme | Cohort 4 | Inclusion & Talent team"),
        ("h1", "1. About Accelerate"),
        ("p", "Accelerate is Kestrel Bank's 18-month sponsorship programme for high-potential colleagues from groups that are under-represented in our senior leadership, including women, colleagues from ethnic minority backgrounds, disabled colleagues and colleagues from lower socio-economic backgrounds. Each cohort has 40 participants. This guide explains what the programme involves, what you commit to, and what your sponsor commits to."),
        ("p", "Accelerate exists because talent is spread evenly but opportunity is not. Our data shows that colleagues with an active senior advocate are promoted faster, and that access to those advocates has not been equal. Accelerate makes that access deliberate."),
        ("h1", "2. Sponsorship is not mentoring"),
        ("p", "You may already have a mentor, and many participants have taken part in our mentoring schemes. Accelerate is different. A mentor helps you develop through advice, questions and reflection. A sponsor is a senior leader, at Managing Director or Director level, who uses their influence to create opportunities for you: naming you in talent discussions, recommending you for roles and projects, and introducing you to decision-makers."),
        ("p", "To make sure you still have a space for reflection, every Accelerate participant is also matched with a peer mentor from the Accelerate alumni community, usually someone one level above you who completed an earlier cohort. Your peer mentor is a confidential sounding board. Your sponsor is your advocate. You will get the most from the programme if you keep these roles distinct."),
        ("h1", "3. Nomination and selection"),
        ("p", "Participants are nominated by their Head of Function during the mid-year talent review. Colleagues may also self-nominate using the Accelerate self-nomination form, which requires an endorsement from your line manager and a short statement about your ambitions. A selection panel of three senior leaders and a member of the Inclusion & Talent team reviews all nominations against three criteria: performance over the last two years, evidence of potential for a more senior role, and the likely benefit of sponsorship."),
        ("p", "Sponsors are matched to participants by the Inclusion & Talent team. Sponsors come from a different business area to the participant, so that they can open doors that would otherwise be closed."),
        ("pagebreak",),
        ("h1", "4. What you commit to"),
        ("h2", "4.1 Quarterly advocacy conversations"),
        ("p", "You will meet your sponsor at least once a quarter for an advocacy conversation of about an hour. These are not general catch-ups. Each one has a focus:"),
        ("table", [
            ["Quarter", "Focus of the advocacy conversation"],
            ["Q1", "Ambitions: where you want to be in two to three years and what is in the way."],
            ["Q2", "Visibility: which leaders need to know your work, and how your sponsor can help."],
            ["Q3", "Opportunities: roles, projects or assignments your sponsor can recommend you for."],
            ["Q4", "Readiness: evidence for your next move and the sponsor's honest view of gaps."],
            ["Q5-Q6", "Transition: securing a next role or stretch assignment and planning beyond the programme."],
        ], [30, 140]),
        ("p", "Before each conversation, send your sponsor a short update of no more than one page: what you have delivered since you last met, what you are aiming for, and one specific thing you would like them to do."),
        ("h2", "4.2 Career narrative"),
        ("p", "By the end of month two, you will write a career narrative statement of no more than 250 words. It should describe the impact you have had, the strengths you bring, and the role you are aiming for. Your sponsor uses this statement when they speak about you in talent discussions, so it must be specific and evidenced. Accelerate workshops in month one will help you draft it."),
        ("h2", "4.3 Visibility project"),
        ("p", "Each participant takes on one visibility project during the programme: a piece of work, outside their day job, that is seen by senior leaders in at least one other business area. Your sponsor helps identify suitable projects. Examples from earlier cohorts include leading a review of customer complaints in a different division, presenting a piece of analysis to a regional executive committee, and co-designing a graduate programme module."),
        ("h2", "4.4 Workshops and cohort events"),
        ("p", "There are six cohort workshops over the 18 months, covering personal brand, influencing senior stakeholders, navigating organisational politics, negotiation, leading through change and planning your next move. Attendance at a minimum of five is expected."),
        ("pagebreak",),
        ("h1", "5. What your sponsor commits to"),
        ("ul", [
            "To name you, with specific evidence, in at least two formal talent discussions during the programme.",
            "To introduce you to at least three senior stakeholders who could influence your career.",
            "To identify or create at least one stretch opportunity for you.",
            "To give you honest feedback on how you are perceived at senior levels, including things that are uncomfortable to hear.",
            "To attend the programme launch and the final showcase.",
        ]),
        ("p", "Sponsors are briefed that sponsorship involves visible advocacy and that it carries some reputational risk for them. They are asked to be clear with you if they are not yet comfortable recommending you for a particular opportunity, and to explain what would change their view."),
        ("h1", "6. If your sponsor changes role or leaves"),
        ("p", "Senior leaders move. If your sponsor leaves Kestrel Bank or moves into a role where they can no longer sponsor you effectively, tell the Inclusion & Talent team straight away. The team will assign a new sponsor within 30 days. Before your sponsor leaves, ask them to hand over properly: a conversation with your new sponsor about your ambitions and your career narrative, and introductions to any senior contacts they made for you."),
        ("p", "If the sponsorship relationship is not working for another reason, for example your sponsor has repeatedly cancelled advocacy conversations, speak to your peer mentor or the Inclusion & Talent team confidentially. We would rather know early."),
        ("h1", "7. Measuring success"),
        ("p", "The Inclusion & Talent team tracks the promotion rate, internal moves and retention of participants for three years after each cohort ends, and compares them with similar colleagues who did not take part. Cohort 1 participants were promoted at 1.8 times the rate of the comparison group, and retention was 94 percent after two years. Individual results are never shared outside the programme team without your agreement."),
        ("h1", "8. Contacts"),
        ("p", "Inclusion & Talent team: accelerate@kestrelbank.example. Your peer mentor's details are in your welcome email."),
    ],
}


TIDEWATER = {
    "file": "report_2025_final.pdf",
    "title": None,
    "header": "Tidewater Youth Trust | Community Mentoring Programme - Evaluation 2025",
    "footer": "Internal - not for publication",
    "blocks": [
        ("title", "Community Mentoring Programme: Evaluation Report 2025"),
        ("subtitle", "Tidewater Youth Trust | Prepared by the Impact & Learning team for the Board of Trustees"),
        ("h1", "Executive summary"),
        ("p", "Tidewater Youth Trust's Community Mentoring Programme matches volunteer mentors with young people aged 16 to 24 who have left education and are looking for work, training or a route back into study. Matches are expected to last at least nine months. This report evaluates the programme in 2025, drawing on surveys, interviews and programme records."),
        ("p", "Overall, the programme continues to deliver strong outcomes for young people who stay in a match. Among mentees whose match lasted at least six months, 71 percent were in work, training or education at the end of the year. However, too many matches end early, mostly for practical reasons that could be addressed. We make five recommendations, of which the two most important are a structured start to each match and a coordinator check-in at week six."),
        ("h1", "1. Background"),
        ("p", "The programme has run since 2017. In 2025 it supported 286 matches across four coastal towns. Mentors are volunteers from local employers and the wider community. They complete a one-day induction and a safeguarding course before being matched. Coordinators make matches based on interests, goals, availability and location, and support pairs throughout."),
        ("h1", "2. Method"),
        ("p", "We surveyed all mentees and mentors whose matches were active at any point in 2025, receiving 212 mentee and 148 mentor responses. We carried out 18 in-depth interviews with mentees, mentors and coordinators, and analysed programme records of match start and end dates, meeting logs and outcomes at exit."),
        ("pagebreak",),
        ("h1", "3. Findings"),
        ("h2", "3.1 How long matches lasted"),
        ("p", "The average match lasted 7.4 months. 61 percent of matches reached the nine-month goal. Matches that began in September lasted longest on average, and matches that began in December shortest, which coordinators attribute to the holiday period disrupting the important first few meetings."),
        ("h2", "3.2 Why matches ended early"),
        ("p", "Of the matches that ended before nine months, the main reasons recorded were:"),
        ("table", [
            ["Reason for early ending", "Share of early endings"],
            ["Scheduling difficulties (work shifts, mentor availability)", "38%"],
            ["Mentee moved away or changed circumstances", "21%"],
            ["Lost contact (no response from one party)", "17%"],
            ["Mismatch of expectations", "14%"],
            ["Other reasons", "10%"],
        ], [120, 50]),
        ("p", "Interviews suggest that 'lost contact' often followed a gradual fade rather than a decision: a meeting cancelled, not rebooked, and then no one wanting to be the first to get back in touch. Several mentors said they had not known whether they were allowed to end a match that was not working."),
        ("h2", "3.3 What mentees valued"),
        ("p", "Mentees most valued practical help, especially with CVs, application forms and interview practice, and help understanding what particular jobs actually involve. But the theme that came up most often in interviews was simpler: having an adult outside family and school who believed in them. One mentee said, 'She never told me what to do. She just kept asking what I wanted, until I knew.'"),
        ("h2", "3.4 Meeting frequency"),
        ("p", "Pairs who met weekly or fortnightly in the first three months were much more likely to reach nine months. Matches that met less often than once a month in that early period ended early at roughly twice the rate of those meeting more often. Frequency after the first three months mattered less."),
        ("h2", "3.5 The mentor experience"),
        ("p", "Ninety percent of mentors said they would recommend volunteering to a friend. The most common request was for more support with boundaries: what to do when a mentee discloses something worrying, asks for money or lifts, or contacts them late at night. Eleven percent of mentors said they had felt out of their depth at least once."),
        ("pagebreak",),
        ("h1", "4. Recommendations"),
        ("ol", [
            "Introduce a structured first three meetings for every match: meeting one to get to know each other and agree ground rules, meeting two to set one or two goals, meeting three to agree a first practical action. Coordinators will provide a short guide for each.",
            "Add a coordinator check-in call at week six with each mentor and mentee separately, to spot scheduling problems and mismatched expectations before they lead to a fade.",
            "Provide a mentor refresher session on boundaries and safeguarding six months into each mentor's first match, including clear guidance on when and how to contact the safeguarding lead.",
            "Pilot a shorter six-month match option for mentees who have a specific, near-term goal, such as preparing for an apprenticeship application.",
            "Introduce a closing session template so that matches that end, early or on time, end with a conversation rather than a fade, and make clear to both parties that either can ask the coordinator to close a match.",
        ]),
        ("h1", "5. Next steps"),
        ("p", "The Programme Manager will present an implementation plan to the Board in March 2026. Recommendations 1, 2 and 5 can be introduced from the April 2026 intake at little cost. Recommendation 3 requires additional training budget, estimated at 6,500 pounds a year. Recommendation 4 will be piloted in one town before a decision on wider roll-out. We will repeat this evaluation in early 2027."),
    ],
}


DUNMORE = {
    "file": "DLG-HR-014.pdf",
    "title": "Raising a Concern: Grievance and Dignity at Work Procedure",
    "author": "Dunmore Logistics Group - HR",
    "header": "Dunmore Logistics Group - Raising a Concern: Grievance and Dignity at Work Procedure",
    "footer": "DLG-HR-014 v5 | Internal",
    "blocks": [
        ("title", "Raising a Concern: Grievance and Dignity at Work Procedure"),
        ("subtitle", "Dunmore Logistics Group | Document DLG-HR-014 | Version 5 | Applies to all UK employees"),
        ("h1", "1. Who this procedure is for"),
        ("p", "This procedure is for any employee who has a concern, problem or complaint about their work, working conditions or relationships with colleagues, including concerns about bullying, harassment or discrimination. It explains the informal and formal options, who to talk to, and the timescales that apply."),
        ("p", "It does not cover concerns about wrongdoing in the public interest, such as fraud, safety breaches or breaking the law, which should be raised through the Speak Up line described in section 3. It does not cover appeals against disciplinary decisions or performance ratings, which have their own procedures."),
        ("h1", "2. Before you start: informal resolution"),
        ("h2", "2.1 Talk to your manager"),
        ("p", "Most concerns are best resolved quickly and informally. If you feel able to, raise the issue with your line manager first. Explain what has happened, how it has affected you, and what you would like to happen. Your manager should respond within five working days and agree any action with you."),
        ("p", "If your concern is about your line manager, speak to their manager or to your HR Advisor instead."),
        ("h2", "2.2 Confidential support while you decide"),
        ("p", "You may want to talk things through before deciding what to do. You can do this with a trained Dignity at Work Advisor, a trade union representative, or your mentor if you have one through the Dunmore mentoring scheme. These people can listen, help you understand your options, and support you in deciding what to do next."),
        ("p", "It is important to understand what they cannot do. Dignity at Work Advisors and mentors are not investigators and cannot make findings, take action against anyone, or raise a formal grievance on your behalf. A mentor is a good person to help you think, but a mentoring conversation is not a complaint. If you want something to be investigated, you need to use the formal procedure. If a mentor or advisor becomes aware of a serious risk to anyone's safety, they may have to pass it on."),
        ("pagebreak",),
        ("h1", "3. When to go straight to a formal route"),
        ("p", "You do not have to try informal resolution first. You may go straight to the formal procedure, or to another route, if:"),
        ("ul", [
            "you have experienced harassment, including sexual harassment, or discrimination;",
            "you have been physically threatened or assaulted at work;",
            "you have tried informal resolution and the issue has continued;",
            "the concern is about a senior manager and you do not feel safe raising it informally.",
        ]),
        ("p", "Concerns about fraud, bribery, health and safety breaches, or other wrongdoing that affects the public or the company should be raised through the confidential Speak Up line, which is run by an independent provider and can be used anonymously. These are handled under the Whistleblowing Policy, not this procedure."),
        ("h1", "4. The formal grievance procedure"),
        ("h2", "4.1 Stage 1: written grievance"),
        ("p", "Write to your HR Advisor setting out your grievance, ideally using form GR1. Include what happened, when, who was involved, any witnesses, and what outcome you are seeking. You should raise a formal grievance within three months of the incident or the last incident in a series, although HR may accept later grievances in exceptional circumstances."),
        ("h2", "4.2 Grievance meeting"),
        ("p", "A manager who has not been involved in the matter will be appointed to hear the grievance. They will invite you to a meeting, normally within 10 working days of receiving your written grievance. You have the right to be accompanied at the meeting by a work colleague or a trade union representative. Tell HR in advance if you need any adjustments."),
        ("h2", "4.3 Investigation and outcome"),
        ("p", "The hearing manager may need to investigate further, which may include interviewing witnesses. You will be kept informed of progress. You will receive the outcome in writing, normally within five working days of the meeting or of the end of any investigation, explaining the decision, the reasons for it, and any action that will be taken."),
        ("h2", "4.4 Stage 2: appeal"),
        ("p", "If you are not satisfied with the outcome, you may appeal in writing to HR within seven working days of receiving it, explaining why. The appeal will be heard by a more senior manager who has not been involved. The appeal decision is final."),
        ("pagebreak",),
        ("h1", "5. Mediation"),
        ("p", "At any stage, and with the agreement of everyone involved, a grievance may be paused so that mediation can take place. Mediation is a confidential, voluntary conversation facilitated by a trained mediator, aiming to repair a working relationship. It is often helpful for disagreements and communication breakdowns, but it is not appropriate where there are allegations of serious harassment or discrimination."),
        ("h1", "6. Confidentiality and protection"),
        ("p", "Grievances are handled as confidentially as possible. Information is shared only with those who need it to deal with the grievance. You must not be treated less favourably because you have raised a concern in good faith, or because you have supported a colleague to do so. Victimisation is a disciplinary offence."),
        ("h1", "7. Support"),
        ("ul", [
            "Employee Assistance Programme: free, confidential counselling and advice 24 hours a day, 7 days a week.",
            "Occupational Health: if the situation is affecting your health, ask HR for a referral.",
            "Dignity at Work Advisors: a list of trained advisors at each depot is on the staff app.",
            "Trade union representatives: contact details are on depot noticeboards.",
        ]),
        ("h1", "8. Quick reference: timescales"),
        ("table", [
            ["Step", "Timescale"],
            ["Manager responds to informal concern", "within 5 working days"],
            ["Raise a formal grievance", "within 3 months of the incident"],
            ["Grievance meeting", "normally within 10 working days"],
            ["Written outcome", "within 5 working days of meeting or investigation"],
            ["Appeal", "within 7 working days of outcome"],
        ], [95, 75]),
    ],
}


FERNCLIFF = {
    "file": "mentor-workbook-print.pdf",
    "title": None,
    "header": "Ferncliff University | Staff Development | New Mentor Workbook",
    "footer": "Staff use only",
    "blocks": [
        ("title", "New Mentor Workbook"),
        ("subtitle", "Ferncliff University Staff Mentoring Scheme | For academic and professional services staff mentoring for the first time"),
        ("p", "This workbook accompanies the two-part New Mentor workshop. Work through each section before your first meeting with your mentee, and return to the exercises during your first few months. There are no right answers; the exercises are for your own reflection."),
        ("h1", "1. Your role as a mentor"),
        ("p", "Most new mentors arrive expecting to give advice. Some advice is helpful, but the most valuable thing you offer is a space where your mentee can think clearly about their own situation, with someone who asks good questions and does not have a stake in the answer. You are not their manager, their counsellor or their rescuer."),
        ("p", "Exercise 1.1: Think of someone who helped you in your career without being your manager. What did they do that made a difference? Write down three things. In our workshops, the most common answers are 'listened properly', 'believed I could do it' and 'asked the question I was avoiding'. Advice is rarely in the top three."),
        ("h1", "2. The first conversation"),
        ("p", "Use this checklist to make sure your first meeting covers the basics:"),
        ("ul", [
            "Introductions: share a little of your own path, including a setback, so the relationship feels two-way.",
            "Expectations: what does your mentee hope to get from mentoring? What can you realistically offer?",
            "Practicalities: how often you will meet, for how long, where, and who books.",
            "Confidentiality: agree what stays between you, and explain the limits (see section 5).",
            "Goals: an initial idea of one or two areas to work on. These can be refined at the second meeting.",
            "Feedback: how will you both tell each other if something is not working?",
        ]),
        ("pagebreak",),
        ("h1", "3. Listening at three levels"),
        ("p", "Good mentoring depends on the quality of your listening. A useful model describes three levels:"),
        ("ul", [
            "Level 1, internal listening: you hear the words, but your attention is on your own thoughts, what you will say next, or how the story relates to you.",
            "Level 2, focused listening: your attention is fully on the other person and what they are saying, including what they emphasise and what they leave out.",
            "Level 3, global listening: you also notice tone, energy, body language and the atmosphere between you, such as a sudden change of pace when a particular topic comes up.",
        ]),
        ("p", "Exercise 3.1: In your next three ordinary conversations, notice when you drop into level 1. What pulled you there? Most new mentors find it is the urge to share a similar experience. It is fine to share, but do it after you have understood theirs."),
        ("p", "A simple target: in a mentoring meeting, your mentee should be talking for about 70 percent of the time. If you find you are talking more than half the time, stop and ask a question."),
        ("h1", "4. Asking questions with GROW"),
        ("p", "The GROW model gives a simple structure for a mentoring conversation about a particular issue. You do not need to follow it rigidly, but it is useful when a conversation is going round in circles."),
        ("table", [
            ["Stage", "Purpose", "Example questions"],
            ["Goal", "Clarify what the mentee wants", "What would you like to be different? What would a good outcome from today look like?"],
            ["Reality", "Understand the current situation", "What is happening now? What have you already tried? Who else is involved?"],
            ["Options", "Generate possibilities", "What could you do? What else? What would you do if you knew you could not fail?"],
            ["Way forward", "Commit to action", "What will you do, and by when? What might get in the way? How will I know?"],
        ], [28, 50, 92]),
        ("p", "Exercise 4.1: Choose a small issue of your own, such as a task you keep postponing, and ask yourself the GROW questions in writing. Notice which stage you are tempted to skip. Mentors most often skip Reality and jump to Options."),
        ("pagebreak",),
        ("h1", "5. Boundaries and signposting"),
        ("p", "Mentees sometimes bring issues that are beyond the scope of mentoring. It is part of your role to recognise these and help your mentee find the right support, without trying to handle them yourself. At Ferncliff, the main routes are:"),
        ("ul", [
            "Staff Counselling Service: for personal difficulties, stress, anxiety or low mood.",
            "HR Partners: for concerns about bullying, harassment, discrimination, contracts or disputes with a manager.",
            "Occupational Health: for health issues affecting work.",
            "Trade unions: for representation and advice on employment rights.",
        ]),
        ("p", "If your mentee tells you something that suggests a risk of serious harm to themselves or others, you should contact the Staff Wellbeing Lead the same day. Where possible, tell your mentee first that you need to do this. You will not be expected to make any judgement about the situation yourself."),
        ("h1", "6. Your reflective log"),
        ("p", "After each meeting, spend five minutes answering three questions in a notebook or a private document. Do not record personal details about your mentee."),
        ("ol", [
            "What did my mentee take away from today, in their words?",
            "What did I do that helped, and what did I do that got in the way?",
            "What will I try differently next time?",
        ]),
        ("h1", "7. Common pitfalls"),
        ("ul", [
            "The advice monologue: sharing your career story at length instead of exploring theirs.",
            "Rescuing: taking on your mentee's problems as your own, or contacting people on their behalf without being asked.",
            "Over-sharing: using the relationship to process your own frustrations with the university.",
            "Letting meetings drift: meeting without a focus for several months. If this happens, revisit goals or agree to close the relationship.",
        ]),
        ("h1", "8. Recognition"),
        ("p", "Hours spent mentoring, including this workbook and the New Mentor workshop, count towards the Ferncliff Academic Practice Award and can be recorded in your annual development review. Mentors who complete a year are invited to the annual mentoring reception in June."),
    ],
}

PDF_DOCS = [NORTHGATE, HARLOW, KESTREL, TIDEWATER, DUNMORE, FERNCLIFF]

# ---------------------------------------------------------------------------
# Word documents
# ---------------------------------------------------------------------------

ALTAMIRA = {
    "file": "Handbook_FINAL_v3.docx",
    "title": "Altamira Software - Mentoring Circles Handbook",
    "author": "Altamira People Development",
    "blocks": [
        ("title", "Mentoring Circles Handbook"),
        ("p", "Altamira Software | People Development | Spring 2026 round"),
        ("h1", "What is a mentoring circle?"),
        ("p", "A mentoring circle is a small group of five or six colleagues who meet regularly with one experienced facilitator to work on shared development themes. Circles replace the one-to-one mentoring scheme we ran until 2024. We moved to circles because one-to-one mentoring could only reach about forty people a year, while circles reach more than two hundred, and because participants told us that learning from peers at a similar stage was as valuable as learning from a senior mentor."),
        ("p", "Circles are not training courses. There is no curriculum and nobody presents slides. The value comes from members bringing real, current problems and working on them together, with the facilitator keeping the conversation honest and useful."),
        ("h1", "How circles are organised"),
        ("h2", "Size and make-up"),
        ("ul", [
            "Five or six members, from at least three different departments.",
            "Members are usually within two levels of each other, so that nobody feels they are being assessed.",
            "Nobody is in a circle with their own line manager or direct reports.",
            "One facilitator, who is a senior leader (Director level or above) or a trained internal coach.",
        ]),
        ("h2", "Length and rhythm"),
        ("p", "Each circle meets six times over twelve weeks, every two weeks, for 90 minutes. Sessions are in working time and can be in person at the Valencia or Edinburgh offices or on video. Mixed-location circles meet on video throughout, so that nobody is the only person on a screen."),
        ("h2", "Themes"),
        ("p", "At the first session, each circle chooses two or three themes from the menu below to focus on. Circles can add a theme of their own if the group agrees."),
        ("ul", [
            "Influence and persuasion without formal authority",
            "Being visible: getting your work noticed without self-promotion",
            "Career moves inside Altamira: changing teams, functions or tracks",
            "Managing energy, workload and boundaries",
            "Handling conflict and difficult conversations",
            "Stepping up to lead: first-time team leads and tech leads",
        ]),
        ("h1", "Roles in the circle"),
        ("p", "Apart from the facilitator, roles rotate so that every member takes each role at least once."),
        ("ul", [
            "Facilitator: keeps the session on track, asks challenging questions, shares experience when it helps, and protects the ground rules. The facilitator is not there to lecture.",
            "Timekeeper: watches the clock for each part of the session and gives a two-minute warning.",
            "Scribe: writes down the commitments each member makes at the end of the session and posts them in the circle's private channel within 24 hours.",
        ]),
        ("h1", "The session format"),
        ("p", "Every session follows the same 90-minute structure:"),
        ("ol", [
            "Check-in (10 minutes): each member says, in one or two sentences, how they are and what happened with last session's commitment.",
            "Theme input (20 minutes): one member or the facilitator opens the theme with a short story, an article or a question. No slides.",
            "Hot seat (45 minutes): one member brings a live problem. They describe it for five minutes, the circle asks clarifying questions only for ten minutes, then offers perspectives and options for twenty minutes while the person in the hot seat listens without responding. The last ten minutes are theirs to say what they will take away.",
            "Commitments (15 minutes): every member names one thing they will do before the next session. The scribe records them.",
        ]),
        ("p", "The hot seat rota is agreed at the first session so that, across six sessions, every member has one turn in the hot seat. If you are in the hot seat, prepare by writing down your problem in three sentences: what is happening, why it matters, and what you have already tried."),
        ("h1", "Ground rules"),
        ("ul", [
            "Chatham House: you can use what you learn, but not say who said it or share members' stories outside the circle.",
            "Phones and laptops away, except for the scribe.",
            "Questions before advice. In the hot seat, nobody offers advice until the clarifying questions are done.",
            "Everyone speaks at check-in; nobody has to speak at any other time.",
            "Attendance matters: circles depend on continuity.",
        ]),
        ("h1", "Attendance"),
        ("p", "Because circles are small, missing sessions affects everyone. If you miss more than two of the six sessions, you will be asked to give up your place so that someone on the waiting list can join the next round. Let your facilitator know in advance if you cannot attend; if you are due in the hot seat, swap with another member."),
        ("h1", "Applying"),
        ("p", "Applications for the spring round close on 15 February 2026 and are made through the Learning Portal. You will be asked which themes interest you and which days you are generally available. Your manager is notified that you have applied, so that they can plan for the time, but they are not told anything about the circle's discussions. Circles are announced in the first week of March and the first sessions take place in the week of 16 March."),
        ("h1", "After the circle"),
        ("p", "At the final session, the circle reflects on what each member has learned and decides whether to continue meeting informally. About a third of circles do. Members can also apply for a one-to-one mentor through the Altamira mentor directory, or join a later round of circles with different themes. Facilitators meet each quarter to share what they have learned and to improve the format."),
    ],
}


PRIYA_IDP = {
    "file": "IDP_2026_draft.docx",
    "title": None,
    "author": "Priya Raman",
    "blocks": [
        ("title", "Individual Development Plan 2026 - Priya Raman"),
        ("p", "Role: Data Analyst, Customer Insights team | Manager: Omar Haddad | Mentor: Lena Fischer (Product Analytics Lead) | Draft 2, shared with Lena on 22 January 2026"),
        ("h1", "Career aspiration"),
        ("p", "In 18 months I want to be a Senior Data Analyst, and longer term I'd like to lead product analytics for one of our product areas. I enjoy the moment when analysis changes a decision, and I want more of my work to be close to product decisions rather than monthly reporting."),
        ("h1", "Strengths to build on"),
        ("ul", [
            "Strong SQL and dashboard skills; the churn dashboard is used by three teams.",
            "Careful with data quality. Stakeholders trust my numbers.",
            "Good at explaining analysis one-to-one.",
        ]),
        ("h1", "Development areas"),
        ("ul", [
            "Presenting to senior audiences. I get nervous and over-explain the method.",
            "Experiment design. I can analyse A/B tests others have designed, but I've never designed one.",
            "Network outside analytics. I mostly know people in my own team.",
            "Owning a project from start to finish, including scoping and stakeholder management.",
        ]),
        ("h1", "Goals and actions"),
        ("table", [
            ["Goal", "Actions", "By when", "Support"],
            ["1. Present analysis to leadership confidently",
             "Join the lunchtime Toastmasters club; present the monthly metrics review to the leadership team in April and June; ask two attendees for one piece of feedback each time",
             "June 2026",
             "Lena to review slides before each review; Omar to give me the April and June slots"],
            ["2. Learn to design experiments",
             "Complete the internal Experimentation Fundamentals course; co-design two A/B tests with the onboarding product team; write up one test as a case study",
             "September 2026",
             "Analytics guild; GBP 400 course budget approved by Omar"],
            ["3. Build a network outside analytics",
             "One coffee chat a month with a product manager or designer; shadow one product discovery session; attend the product all-hands",
             "Ongoing, review in December 2026",
             "Lena to introduce me to two PMs in the payments team"],
            ["4. Lead a project end to end",
             "Own the churn dashboard rebuild: write the scope, agree requirements with stakeholders, run fortnightly updates, hand over to the support team",
             "End of Q3 2026",
             "Omar as sponsor; weekly check-in for the first month"],
            ["5. Prepare a promotion case",
             "Keep a brag document updated monthly; ask three stakeholders for written feedback in November; draft case with Omar",
             "January 2027 promotion window",
             "Omar; Lena to read the draft case"],
        ]),
        ("h1", "Check-in schedule"),
        ("ul", [
            "With Lena (mentor): every three weeks, 45 minutes. Review one goal in depth each time.",
            "With Omar (manager): progress on this plan at the monthly one-to-one; full review in July and December.",
            "Self-review: last Friday of every month, 20 minutes, update the brag document and the status column.",
        ]),
        ("h1", "Risks and obstacles"),
        ("ul", [
            "Q2 budget season means reporting workload doubles in April and May. The Toastmasters and course actions may slip; if so, move them to June rather than dropping them.",
            "The onboarding team may not have experiments planned in the summer. Backup: ask the payments team via Lena's introductions.",
            "I tend to say yes to ad hoc data requests. Agreed with Omar that requests over half a day go through him.",
        ]),
        ("h1", "Review log"),
        ("table", [
            ["Date", "Who", "Notes"],
            ["22 Jan 2026", "Lena", "Suggested narrowing goal 3 to product people specifically, and adding the brag doc to goal 5. Done."],
            ["29 Jan 2026", "Omar", "Approved course budget. Agreed to the April presentation slot. Wants goal 4 to include a handover plan."],
        ]),
    ],
}


HALDEN = {
    "file": "Grad_scheme_key_dates.docx",
    "title": "Halden Group Graduate Mentoring Scheme 2026-27: Timeline and Key Dates",
    "author": "Halden Group Early Careers",
    "blocks": [
        ("title", "Graduate Mentoring Scheme 2026-27: Timeline and Key Dates"),
        ("p", "Halden Group Early Careers team. For graduates joining the two-year Halden Graduate Programme in September 2026, and their mentors."),
        ("h1", "How mentoring works on the graduate programme"),
        ("p", "Every Halden graduate has two kinds of mentoring support during the two-year programme. Your scheme mentor is a manager from outside your rotation areas, who stays with you for the whole two years while you move through your three placements of eight months each. Your rotation buddy is a second-year graduate in the business area where you are placed, who helps you settle into each new placement. Your line manager changes with each placement; your scheme mentor does not."),
        ("p", "The table below sets out the milestones for the first year. Deadlines matter because the Early Careers team uses them to check that every graduate has support in place, and because mentoring records form part of your end-of-programme portfolio."),
        ("h1", "Year one timeline"),
        ("table", [
            ["Month", "Milestone", "What you need to do", "Owner"],
            ["September 2026", "Induction week and mentor matching survey", "Complete the matching survey by the Friday of induction week: your interests, strengths and what you want from a mentor", "Graduate"],
            ["October 2026", "Matches confirmed; first meeting", "Hold your first meeting with your scheme mentor by 31 October", "Graduate books; mentor attends"],
            ["November 2026", "Mentoring agreement", "Submit your agreed mentoring agreement on the Early Careers portal by 30 November", "Graduate and mentor"],
            ["January 2027", "Placement one review", "Share your placement one review with your scheme mentor and discuss what you want from placement two", "Graduate"],
            ["March 2027", "Mid-year check-in", "30-minute check-in with your Early Careers adviser about how mentoring is going", "Early Careers adviser"],
            ["May 2027", "Placement two starts; buddy training", "Attend the two-hour buddy training, as you will buddy a new graduate in year two", "Graduate"],
            ["July 2027", "End-of-year reflection", "Submit a one-page reflection and your mentoring log to your portfolio", "Graduate"],
            ["September 2027", "Year two begins", "Become a rotation buddy to a new graduate; continue with your scheme mentor", "Graduate"],
        ]),
        ("h1", "Before your first meeting"),
        ("ul", [
            "Read your mentor's short profile, sent with your match confirmation.",
            "Write down two or three things you'd like help with in your first year. Examples from previous graduates: choosing which placements to request, understanding how the business makes money, handling a difficult stakeholder, deciding on a professional qualification.",
            "Think about how often you would like to meet. The scheme minimum is every six weeks; most pairs meet monthly.",
            "Bring your placement schedule so you can plan meetings around busy periods.",
        ]),
        ("h1", "What if you miss a deadline?"),
        ("p", "Tell your Early Careers adviser as soon as you can. Missing a milestone is not a disciplinary issue, but if there is no first meeting by the end of November, or no agreement by the end of December, the adviser will contact you and your mentor to find out what is wrong and, if needed, arrange a new mentor. Your portfolio cannot be signed off at the end of year two without a complete mentoring log."),
        ("h1", "Changing mentor"),
        ("p", "If the relationship with your scheme mentor is not working, speak to your Early Careers adviser. You can change scheme mentor once during the programme. Changes are easiest to arrange at the start of a new placement, in January or May."),
        ("h1", "Contacts"),
        ("p", "Early Careers team: earlycareers@haldengroup.example. Your adviser's name is in your welcome pack."),
    ],
}


MTG_NOTES = {
    "file": "mentor_mtg_notes.docx",
    "title": None,
    "author": "Sam Whitlock",
    "blocks": [
        ("bold", "Mentoring notes - sessions with Rosalind", 14),
        ("p", "My own notes, not shared. Rosalind Achebe, Head of Customer Operations (mentor through the company scheme since January). Me: Senior Analyst, Service Design."),
        ("bold", "12 January - first proper session: am I a manager?"),
        ("p", "I said I'm thinking about applying for the team lead role when Joanne moves on in spring. Rosalind asked why I want it, and my answers were mostly 'it's the next step' and 'more money'. She said that's fine but not enough to get through the hard months."),
        ("p", "Her suggestion: write a 'manager README' even before I apply. One page: how I like to work, what people can expect from me, what I'm still learning. If I can't write it, maybe I'm not ready yet, or maybe I'm not sure what kind of manager I'd be, which is worth knowing."),
        ("p", "Actions: draft the README. Ask Joanne what the worst week of the job looks like."),
        ("bold", "9 February - the stakeholder from finance"),
        ("p", "Talked about Martin in finance, who keeps rejecting our process change proposals at the last minute. Rosalind's approach: first, assume positive intent and find out what he's worried about before the meeting, not in it. Second, if it keeps happening, name the pattern directly but privately: 'I've noticed the last three proposals were stopped at the final review. What could we do earlier so that doesn't happen?'"),
        ("p", "She also said to stop copying my manager into every email to Martin. It reads as escalation."),
        ("p", "Actions: coffee with Martin before the March review. Shared my README draft; she liked the 'what I'm still learning' section, said cut the section on working hours."),
        ("bold", "8 March - didn't get the team lead role"),
        ("p", "Joanne's role went to an external candidate. I was upset and said so. Rosalind let me talk for a while and then said there are three questions to ask after being passed over, and to ask them in a follow-up conversation after a few days, not on the day:"),
        ("p", "1) What were the specific criteria, and where did I fall short against them? 2) What would you need to see from me in the next six to twelve months to be a strong candidate next time? 3) Who could I learn from, or what could I take on, to close that gap?"),
        ("p", "She said don't argue with the decision; the point is to get information you can use. And give it a few weeks before deciding whether to look elsewhere."),
        ("p", "Actions: book feedback meeting with the hiring manager for next week. Write down the answers."),
        ("bold", "5 April - we disagreed about the secondment"),
        ("p", "Feedback from hiring manager: needed more experience leading people and handling budget. I've been offered a six-month secondment to the transformation team, which has no line management but does have a budget. I wanted to say no because it feels like a sideways move. Rosalind thought I should take it, because it closes half the gap and gets me known by the transformation director."),
        ("p", "I pushed back. She asked me to argue her side for two minutes, which was annoying and also useful. In the end I said I'd decide by the 20th. She said it's my call and she'd back either choice, but she wanted me to decide for a reason and not because I was still hurt about the team lead role."),
        ("p", "Actions: list pros and cons; talk to someone who did the secondment last year (Kemi)."),
        ("bold", "3 May - wrapping up"),
        ("p", "Took the secondment. Starts in June. We talked about how the mentoring has gone. Both agreed it's been useful and that after the secondment starts my questions will be quite different (budget, transformation politics), and Rosalind isn't the best person for those. We agreed to have two more sessions, in June and July, and then close the formal mentoring in July with a proper review of what I've worked on since January."),
        ("p", "She suggested I ask the transformation director about a mentor in that world. Also said I can email her any time about management stuff. I'm going to write her a proper thank-you at the end."),
        ("bold", "Open actions"),
        ("p", "- Finish README v3 and share with new secondment manager."),
        ("p", "- Ask transformation director about a mentor, in first month of secondment."),
        ("p", "- Prepare 'what I've worked on since January' list for July session."),
        ("p", "- Thank-you email to Rosalind after the last session."),
    ],
}


QUILLON = {
    "file": "Promo_guidance_L5.docx",
    "title": None,
    "author": "Quillon Systems Engineering Leadership",
    "blocks": [
        ("title", "Quillon Systems - Promotion to Senior Engineer (L5): Guidance for Candidates"),
        ("p", "Engineering Leadership Group | Applies to the April and October 2026 promotion cycles"),
        ("h1", "Overview"),
        ("p", "Promotion to L5 (Senior Engineer) recognises that you are already working at the senior level, consistently, over a sustained period. We do not promote on potential alone. This guidance explains the process, what the promotion committee looks for, how to write your case, and what happens if the answer is 'not yet'."),
        ("h1", "The promotion cycle"),
        ("p", "There are two promotion cycles each year, in April and October. For each cycle:"),
        ("ol", [
            "Six weeks before the committee: your manager confirms with you that you will be put forward. You cannot self-nominate without your manager's support, but if your manager will not put you forward, you may ask your skip-level manager to review the decision.",
            "Four weeks before: you write your promotion case with your manager's help, and request reviews from your peer reviewers.",
            "Two weeks before: the case and reviews are submitted.",
            "Committee week: the calibration committee reviews all cases for the level together.",
            "The week after: your manager tells you the outcome in person, followed by written feedback within five working days.",
        ]),
        ("h1", "What the committee looks for"),
        ("p", "The committee assesses your case against four dimensions. The table summarises how L4 and L5 differ."),
        ("table", [
            ["Dimension", "L4 (Engineer) looks like", "L5 (Senior Engineer) looks like"],
            ["Impact", "Delivers well-defined features reliably", "Delivers outcomes that matter to the business; chooses what to build as well as how"],
            ["Scope", "Works within a team's existing plans", "Leads work that spans several people or a whole team, and sometimes other teams"],
            ["Technical depth", "Writes solid code and reviews well", "Makes design decisions others rely on; anticipates operational problems; improves the system, not just the feature"],
            ["Collaboration", "Helps teammates when asked", "Actively raises the level of the team: mentors, unblocks, improves practices"],
        ]),
        ("p", "You do not need to show L5 behaviour in every dimension, but the committee needs clear evidence in at least three, including impact."),
        ("h1", "Writing your case"),
        ("ul", [
            "Maximum three pages. Longer cases are returned.",
            "Evidence from the last 12 months only.",
            "Use three to five concrete examples. For each: the situation, what you did, and the result, with numbers where possible.",
            "Write about what you did, not what the team did. 'We' is fine for context; the committee needs to see your part.",
            "Do not include a list of every ticket. Pick the examples that show the senior level most clearly.",
        ]),
        ("h2", "Peer reviews"),
        ("p", "You need three reviews: two from engineers who have worked closely with you, and one from someone outside your team, such as a product manager, designer or engineer in a partner team. Give reviewers at least two weeks' notice and share your draft examples so they can comment on the same work. Reviewers should be honest; a review that is all praise is less useful to the committee than one that also names a growth area."),
        ("h1", "Outcomes"),
        ("p", "There are two outcomes: promoted, or not yet. About 60 percent of cases at L5 are promoted in their first cycle."),
        ("h2", "If the outcome is 'not yet'"),
        ("p", "A 'not yet' outcome means the committee did not see enough evidence this time. It is common and not a judgement of your worth as an engineer. Within 30 days, your manager will hold a feedback meeting with you to go through the committee's written feedback, and together you will agree a promotion readiness plan with specific evidence to build over the next cycle. You may be put forward again in the next cycle, six months later, if your manager agrees that the plan has been met."),
        ("p", "We recommend that candidates who receive 'not yet' also discuss the feedback with a mentor outside their reporting line, who can help separate the useful feedback from the disappointment."),
        ("h2", "Appeals"),
        ("p", "You may appeal only on the grounds that the process was not followed, for example if a required review was missing or the committee considered evidence outside the 12-month window. Appeals must be made in writing to the Engineering Leadership Group within 10 working days of receiving written feedback. Disagreement with the committee's judgement is not grounds for appeal."),
        ("h1", "Tips from recent L5 promotions"),
        ("ul", [
            "Keep a running document of your work all year. Writing a case from memory in four weeks is painful and you will forget your best examples.",
            "Ask your manager, six months before a cycle, 'What's missing from my case right now?'",
            "Take on at least one piece of cross-team work. Scope is the dimension most often missing in 'not yet' cases.",
        ]),
    ],
}


BUDDY = {
    "file": "New_starter_buddy_guide.docx",
    "title": "Buddy Programme: a guide for buddies and new starters",
    "author": "Marlowe & Finch People Team",
    "blocks": [
        ("title", "Buddy Programme: a guide for buddies and new starters"),
        ("p", "Marlowe & Finch | Head office and distribution centres | People Team"),
        ("h1", "Why we have buddies"),
        ("p", "Starting a new job is tiring. There is a lot to learn that nobody writes down: where people eat lunch, who actually knows how the stock system works, which meetings matter. A buddy is a colleague who has been here at least a year and who helps a new starter find their feet during their first 90 days."),
        ("h1", "Buddy, mentor and manager: what's the difference?"),
        ("ul", [
            "Your manager sets your objectives, gives you feedback on your performance and is responsible for your training plan.",
            "Your buddy helps with the practical and social side of settling in. They are usually a peer, not more senior, and they are not involved in assessing your probation.",
            "A mentor helps with longer-term career development. New starters can apply for the company mentoring scheme after passing probation at six months.",
        ]),
        ("p", "Buddies are not expected to know everything. A good buddy says 'I don't know, but let's find out who does'."),
        ("h1", "How the buddy relationship runs"),
        ("ul", [
            "Before day one: the buddy sends a short welcome message introducing themselves.",
            "Day one: the buddy takes the new starter to lunch. Buddies can claim up to 25 pounds for lunch in the first week through the normal expenses process.",
            "First month: a 15-minute check-in every week.",
            "Months two and three: a check-in every two weeks.",
            "Day 90: a final check-in, and both buddy and new starter complete a short feedback form.",
        ]),
        ("h1", "Settling-in checklist"),
        ("p", "Buddies and new starters can use this checklist together. It is not a test; tick things off as they happen."),
        ("table", [
            ["Week 1", "Month 1", "Month 3"],
            ["Tour of the building or site, including first aid points and quiet rooms", "Understands how their team's work fits into the wider business", "Knows who to go to for help with the main systems and processes"],
            ["Knows where to find the staff handbook and IT help", "Has met key people in at least two other teams", "Has a clear picture of what is expected at the probation review"],
            ["Has logins for email, the rota system and the staff app", "Has been to at least one team social or all-hands", "Feels able to raise a question or concern without the buddy"],
            ["Has had lunch with the buddy and met the team", "Knows how to book leave and claim expenses", "Has given feedback on the buddy programme"],
        ]),
        ("h1", "Questions a buddy might ask at check-ins"),
        ("ul", [
            "What has surprised you so far?",
            "Is there anything you've been too embarrassed to ask?",
            "Who have you found most helpful?",
            "Is there anything you'd like me to introduce you to, or anyone you'd like to meet?",
            "How are you finding the workload?",
        ]),
        ("h1", "When a buddy should pass something on"),
        ("p", "Sometimes a new starter tells their buddy about something that a buddy can't and shouldn't handle alone. If a new starter says they are being treated unfairly, are struggling with their health, or are thinking of leaving because of a problem at work, the buddy should encourage them to talk to their manager or the People Team, and offer to go with them. If there is a risk to anyone's safety, the buddy must tell the People Team straight away."),
        ("h1", "Becoming a buddy"),
        ("p", "Any permanent employee with at least 12 months' service can volunteer. Buddies complete a 45-minute online briefing and are matched with no more than one new starter at a time. Buddy time counts towards the Marlowe & Finch 'Give Back' recognition scheme, and many people who go on to apply for the mentoring scheme as a mentor start as buddies."),
    ],
}

DOCX_DOCS = [ALTAMIRA, PRIYA_IDP, HALDEN, MTG_NOTES, QUILLON, BUDDY]


def main():
    for spec in PDF_DOCS:
        print("wrote", build_pdf(spec))
    for spec in DOCX_DOCS:
        print("wrote", build_docx(spec))


if __name__ == "__main__":
    main()
