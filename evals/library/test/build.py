"""Build the binary test documents (PDF and DOCX) for the blind library test set.

Run with:  /work/main/.venv/bin/python build.py
All text is original and fictitious. PDFs use only the built-in Helvetica font
and plain ASCII punctuation.
"""
import os

from fpdf import FPDF
from fpdf.enums import XPos, YPos
import docx
from docx.shared import Pt
from docx.enum.text import WD_ALIGN_PARAGRAPH

HERE = os.path.dirname(os.path.abspath(__file__))


# ---------------------------------------------------------------------------
# PDF helpers
# ---------------------------------------------------------------------------
class RunningPDF(FPDF):
    def __init__(self, header_text, footer_fmt):
        super().__init__(format="A4")
        self.header_text = header_text
        self.footer_fmt = footer_fmt
        self.set_margins(20, 22, 20)
        self.set_auto_page_break(True, margin=22)

    def header(self):
        self.set_font("Helvetica", "I", 8)
        self.set_text_color(90, 90, 90)
        self.set_y(10)
        self.cell(0, 5, self.header_text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(160, 160, 160)
        self.line(self.l_margin, 16, self.w - self.r_margin, 16)
        self.set_text_color(0, 0, 0)
        self.set_y(22)

    def footer(self):
        self.set_y(-15)
        self.set_font("Helvetica", "", 8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 8, self.footer_fmt.format(page=self.page_no()), align="C")
        self.set_text_color(0, 0, 0)


def build_pdf(filename, header_text, footer_fmt, blocks, title=None, author=None, subject=None):
    """blocks: list of (kind, text). kinds: cover, h1, h2, h3, p, li, num, small, break, space"""
    pdf = RunningPDF(header_text, footer_fmt)
    if title:
        pdf.set_title(title)
    if author:
        pdf.set_author(author)
    if subject:
        pdf.set_subject(subject)
    pdf.set_creator("Microsoft Word")
    pdf.add_page()
    epw = pdf.w - pdf.l_margin - pdf.r_margin
    for kind, text in blocks:
        for ch in text:
            if ord(ch) > 126:
                raise ValueError("non-ASCII in PDF text %r: %r" % (filename, text))
        if kind == "break":
            pdf.add_page()
            continue
        if kind == "space":
            pdf.ln(float(text or 6))
            continue
        if kind == "cover":
            pdf.set_font("Helvetica", "B", 24)
            pdf.multi_cell(0, 11, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(4)
        elif kind == "cover2":
            pdf.set_font("Helvetica", "", 14)
            pdf.multi_cell(0, 8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(2)
        elif kind == "h1":
            pdf.ln(3)
            pdf.set_font("Helvetica", "B", 14)
            pdf.multi_cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(1.5)
        elif kind == "h2":
            pdf.ln(1.5)
            pdf.set_font("Helvetica", "B", 11)
            pdf.multi_cell(0, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(0.5)
        elif kind == "p":
            pdf.set_font("Helvetica", "", 10.5)
            pdf.multi_cell(0, 5.6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(2)
        elif kind == "small":
            pdf.set_font("Helvetica", "", 9)
            pdf.multi_cell(0, 4.6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(1.5)
        elif kind in ("li", "num"):
            pdf.set_font("Helvetica", "", 10)
            if kind == "li":
                marker, body = "-", text
            else:
                marker, body = text.split(" ", 1)
            pdf.set_x(pdf.l_margin + 4)
            pdf.cell(7, 5.2, marker)
            pdf.multi_cell(epw - 11, 5.2, body, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(1)
        else:
            raise ValueError(kind)
    pdf.output(os.path.join(HERE, filename))


# ---------------------------------------------------------------------------
# PDF 1: Northgate mentoring handbook (metadata title set)
# ---------------------------------------------------------------------------
NORTHGATE = [
    ("space", "20"),
    ("cover", "Northgate Ltd"),
    ("cover", "Mentoring Programme Handbook 2026"),
    ("cover2", "For mentees, mentors and line managers"),
    ("space", "6"),
    ("p", "Version 2.0 | Issued January 2026 | Owner: Talent and Learning (Mentoring Programme Office)"),
    ("space", "8"),
    ("h2", "Contents"),
    ("p", "1 Introduction\n2 Eligibility, applying and matching\n3 Roles and responsibilities\n4 Meetings\n5 Confidentiality\n6 Ending the mentoring relationship\n7 Support and training\n8 Evaluation"),
    ("break", ""),
    ("h1", "1 Introduction"),
    ("h2", "1.1 About the programme"),
    ("p", "The Northgate Mentoring Programme connects colleagues who want to develop with experienced colleagues from other parts of the business, across our sites in Leeds, Bristol and Glasgow. It is a structured programme with a fixed cycle of roughly ten months. It is designed so that mentees leave with clearer goals, a wider network inside Northgate and the habit of reflecting on their own development."),
    ("h2", "1.2 What mentoring at Northgate is not"),
    ("p", "Mentoring is not part of performance management, and nothing discussed in mentoring feeds into ratings or pay. It is not a route to promotion in itself, and a mentor is not expected to find you a new role. It is also not counselling. Where a mentee needs specialist help, mentors will signpost to the Employee Assistance Programme, HR or occupational health."),
    ("h1", "2 Eligibility, applying and matching"),
    ("h2", "2.1 Mentees"),
    ("p", "To apply as a mentee you must be a permanent employee with at least 12 months of continuous service. Your application must include a short endorsement from your line manager. The endorsement confirms only that your manager will release time for meetings; it does not give your manager any right to know what you discuss. Colleagues on a formal performance improvement plan are asked to wait until the plan has closed."),
    ("h2", "2.2 Mentors"),
    ("p", "Mentors must be at Grade 5 or above, or an agreed specialist equivalent, and must have attended the half-day Mentor Foundations workshop within the last three years. A mentor may support a maximum of two mentees at any one time."),
    ("h2", "2.3 Matching"),
    ("p", "Northgate uses panel matching. All applications are reviewed by the Programme Office, and a matching panel of three (a Programme Office lead and two experienced mentors) meets during March. The panel considers, in order:"),
    ("num", "a) the development goals described in the application;"),
    ("num", "b) preferred working style and how the mentee likes to learn;"),
    ("num", "c) location, and whether in-person meetings matter to the mentee;"),
    ("num", "d) any preference about the mentor's background, for example a mentor who has changed careers or who works part-time."),
    ("p", "A mentor will never be in the mentee's reporting line and will normally be from a different function. Each mentee receives a shortlist of two mentor profiles and chooses one within five working days. If neither suits, the mentee replies \"neither\" and the panel proposes a third profile. No further alternatives are offered within the same cycle after that."),
    ("h2", "2.4 Key dates for 2026"),
    ("li", "Applications open 2 February and close 27 February."),
    ("li", "Matching panel sits 9 to 20 March; matches notified by 27 March."),
    ("li", "Launch event 16 April (Leeds, streamed to all sites)."),
    ("li", "Mid-point survey in September."),
    ("li", "Closing event and end of cycle: 29 January 2027."),
    ("h1", "3 Roles and responsibilities"),
    ("h2", "3.1 Mentee"),
    ("p", "The mentee owns the relationship. You arrange meetings, send a short agenda beforehand, set your development goals and keep your own notes. Your mentor will not chase you."),
    ("h2", "3.2 Mentor"),
    ("p", "The mentor listens, asks questions, challenges assumptions, shares relevant experience and keeps the content of conversations confidential within the limits in section 5. Mentors are asked to be honest if they cannot give the time the programme needs."),
    ("h2", "3.3 Line manager"),
    ("p", "Line managers release time for mentoring: up to 90 minutes a fortnight during the first three months and up to 90 minutes a month after that. Managers support the mentee's goals where they can, but should not ask what is discussed."),
    ("h2", "3.4 Programme Office"),
    ("p", "The Programme Office runs applications, matching and training, tracks participation and is the first point of contact if anything goes wrong."),
    ("h1", "4 Meetings"),
    ("h2", "4.1 Frequency and length"),
    ("p", "Pairs meet every two weeks for the first three months, to build momentum, and then monthly for the rest of the cycle. Each meeting should last around 60 minutes. Meeting in person at least once a quarter is encouraged where practical; otherwise meetings take place by video."),
    ("h2", "4.2 The first meeting and the Mentoring Agreement"),
    ("p", "At the first meeting, mentor and mentee complete and sign the Northgate Mentoring Agreement (Appendix A, available on the intranet). It records goals, meeting frequency, how either person will cancel, and the confidentiality rules. The mentee uploads the signed copy to the Learning Hub within two weeks of the first meeting."),
    ("h2", "4.3 Logging meetings"),
    ("p", "The mentee logs the date of every meeting in the Learning Hub. Only the date is recorded, never content. A minimum of eight logged meetings is needed for the programme to be recorded as completed."),
    ("h2", "4.4 Cancellations"),
    ("p", "Please give at least 48 hours' notice of a cancellation except in emergencies, and rearrange within two weeks."),
    ("h1", "5 Confidentiality"),
    ("p", "5.1 What is discussed in mentoring stays between mentor and mentee."),
    ("p", "5.2 The exceptions are: a risk of harm to the mentee or others; information about criminal activity; or a serious breach of the Northgate Code of Conduct or of safety rules. In these cases the mentor will, where possible, discuss it with the mentee first and then contact the Programme Office or HR."),
    ("p", "5.3 The Programme Office keeps only match details, meeting dates and survey responses."),
    ("h1", "6 Ending the mentoring relationship"),
    ("h2", "6.1 Natural end"),
    ("p", "At the end of the cycle, the final meeting should review progress against the goals in the Mentoring Agreement. Many pairs choose to keep in touch informally afterwards. This is welcome, but it sits outside the programme."),
    ("h2", "6.2 Ending early"),
    ("p", "Either the mentor or the mentee may end the relationship at any time. We ask you to follow three steps:"),
    ("num", "(a) If you feel able to, raise it with the other person first."),
    ("num", "(b) Notify the Programme Office by email at mentoring.office@northgate-ltd.example. You do not need to give a detailed reason."),
    ("num", "(c) Hold a short closing conversation if at all possible. The Programme Office can facilitate one if that would help."),
    ("h2", "6.3 Rematching"),
    ("p", "If a relationship ends within the first three months of the cycle, the Programme Office will offer the mentee one rematch, subject to mentor availability. If it ends after three months, the mentee is invited to reapply for the next cycle instead."),
    ("h2", "6.4 No-fault principle"),
    ("p", "Ending a match early is treated as no-fault. It is not recorded on either person's HR file and does not affect eligibility for future cycles."),
    ("h1", "7 Support and training"),
    ("p", "All mentees attend a 60-minute induction webinar before the launch event. Mentors attend Mentor Foundations and are invited to quarterly peer supervision groups, where they can discuss challenges anonymously. The Programme Office can be reached at the address in 6.2."),
    ("h1", "8 Evaluation"),
    ("p", "Participants receive a short survey at month five and at the end of the cycle. The Programme Office publishes an anonymised summary each spring, together with any changes to the programme for the following year."),
]

# ---------------------------------------------------------------------------
# PDF 2: Ashby clinical mentoring guidelines (no metadata title)
# ---------------------------------------------------------------------------
ASHBY = [
    ("cover", "Clinical Mentoring Guidelines"),
    ("cover2", "for Newly Registered Nurses and Allied Health Professionals"),
    ("small", "Document reference: CL-MEN-02 | Version 1.3 | Approved by the Nursing and AHP Workforce Committee, November 2025 | Next review: November 2027"),
    ("space", "8"),
    ("h2", "Document control"),
    ("p", "Author: Lead for Practice Education\nAudience: registered nurses and allied health professionals in their first two years after registration, their managers, preceptors and clinical mentors\nRelated documents: Preceptorship Policy; Raising Concerns (Speak Up) Policy; Supervision and Reflective Practice Policy"),
    ("h2", "Contents"),
    ("p", "1. Purpose and scope\n2. Preceptorship and mentoring: what is the difference?\n3. Finding a mentor\n4. Protected time\n5. What to talk about\n6. Records and revalidation\n7. Concerns about patient safety or practice\n8. Wellbeing\n9. Ending a mentoring relationship"),
    ("break", ""),
    ("h1", "1. Purpose and scope"),
    ("p", "These guidelines describe how clinical mentoring works at Ashby Community Health Partnership. They apply to registered nurses and allied health professionals (AHPs) in their first two years after registration, whether they work in community teams, inpatient units or clinics. They sit alongside, and do not replace, the Preceptorship Policy."),
    ("h1", "2. Preceptorship and mentoring: what is the difference?"),
    ("p", "New registrants at Ashby have two different kinds of support, and it helps to be clear about which is which."),
    ("p", "A preceptor is assigned to you by your ward or team manager. They work in your own team, support you for your first 12 months, and sign off the competencies in your preceptorship document. Preceptorship is formal and includes assessment."),
    ("p", "A clinical mentor is someone you choose, usually from outside your immediate team. Mentoring is voluntary and confidential and has no assessment role. A mentor helps you think about your confidence, your development and your career. Your mentor should never be your preceptor or your line manager, so that you can speak freely."),
    ("p", "Most new registrants benefit from having both. You do not need to wait until preceptorship has finished to find a mentor."),
    ("h1", "3. Finding a mentor"),
    ("num", "3.1 Mentors are listed on the Clinical Mentor Register on the intranet (Learning > Clinical Mentoring). Everyone on the register is Band 6 or above and has completed the Partnership's mentor training."),
    ("num", "3.2 We recommend choosing someone from a different ward or service from your own. This widens your view of the organisation and avoids awkwardness with your own team."),
    ("num", "3.3 Send a request using the form on the register. Mentors are asked to reply within 10 working days."),
    ("num", "3.4 If you do not hear back, or cannot find a suitable mentor, contact the Practice Education team, who will help you find someone."),
    ("h1", "4. Protected time"),
    ("p", "Each new registrant is entitled to one hour of protected time per month for mentoring, up to 12 hours a year. This time is rostered. Ask your ward manager or team leader to add it to your roster using the code MNT on the e-roster system. Managers should approve requests unless safe staffing levels would be put at risk on that shift. If a mentoring session has to be cancelled because of staffing, it should be rebooked within the same month."),
    ("p", "Mentors also record their mentoring time using the MNT code, so that the time is visible and valued."),
    ("h1", "5. What to talk about"),
    ("p", "The agenda belongs to you. Common topics include:"),
    ("li", "building clinical confidence, for example in leading a shift or managing a deteriorating patient;"),
    ("li", "career pathways such as specialist nursing, community practice, research, education or advanced practice;"),
    ("li", "managing shift work, fatigue and life outside work;"),
    ("li", "reflecting on a difficult experience, such as a death, a complaint or a tense conversation with a family;"),
    ("li", "preparing an application or interview for a Band 6 post."),
    ("h1", "6. Records and revalidation"),
    ("p", "Keep a brief reflective record of each mentoring conversation in your e-portfolio. You do not need to record anything confidential or identifiable. Many registrants find that mentoring conversations are a good basis for the written reflective accounts required for professional revalidation. If your mentor is on the same professional register as you, they may also act as your reflective discussion partner."),
    ("h1", "7. Concerns about patient safety or practice"),
    ("p", "Mentoring is not the route for raising concerns about patient safety or poor practice. If you are worried about the safety of a patient, or about the practice of a colleague, you should:"),
    ("num", "(a) speak immediately to the nurse in charge or your ward or team manager;"),
    ("num", "(b) report the incident on the SafeReport incident system; and/or"),
    ("num", "(c) contact the Partnership's Speak Up Guardian, in confidence, if you do not feel able to raise it locally."),
    ("p", "Your mentor can support you through this, but if you tell them about something that puts patients at risk, they are obliged to make sure it is escalated."),
    ("h1", "8. Wellbeing"),
    ("p", "The first years after registration can be demanding. Alongside mentoring, you can use Occupational Health, the staff psychological support line, and the chaplaincy and spiritual care team. After a traumatic or distressing incident, ask your manager about a structured team debrief."),
    ("h1", "9. Ending a mentoring relationship"),
    ("p", "Mentoring relationships at Ashby typically last 12 to 18 months. Either person can end the relationship at any time. Please let the Practice Education team know so that the Clinical Mentor Register shows the mentor's availability correctly."),
]

# ---------------------------------------------------------------------------
# PDF 3: Kestrel returners programme (metadata title set)
# ---------------------------------------------------------------------------
KESTREL = [
    ("space", "24"),
    ("cover", "Returners Programme Guide"),
    ("cover2", "Kestrel Engineering | 2026 cohorts"),
    ("cover2", "For returners and their line managers"),
    ("space", "10"),
    ("p", "This guide explains how our paid returner placements work: the first weeks, who supports you, how reviews happen and what happens at the end. Please read it before your first day and keep it to hand."),
    ("break", ""),
    ("h1", "1. Welcome back"),
    ("p", "The Kestrel Returners Programme is for engineers and technical professionals who have been out of paid work for two years or more, whether for caring, health, relocation, study or any other reason. We know that skills do not disappear during a career break, but confidence and familiarity with tools often take a knock. The programme is designed to give you a structured, supported way back in, at a level that reflects your experience."),
    ("h1", "2. The programme at a glance"),
    ("li", "A 16-week paid placement in a real team, on real projects."),
    ("li", "You are paid at the grade that matches your previous experience, not at entry level."),
    ("li", "Two cohorts a year, starting in March and September, with up to ten returners per cohort across our sites."),
    ("li", "The aim of every placement is a permanent role."),
    ("h1", "3. Your first weeks: a phased return"),
    ("p", "Going from no paid work to a full working week overnight is hard for anyone. The programme therefore uses phased hours:"),
    ("li", "Weeks 1 to 4: you may work three days a week, paid pro rata."),
    ("li", "Weeks 5 to 8: four days a week."),
    ("li", "From week 9: your full agreed hours, which may themselves be part-time."),
    ("p", "You can move to full hours sooner if you wish; you do not have to. Your first week includes a site induction, safety training, IT set-up and time with your buddy."),
    ("h1", "4. Your support team"),
    ("p", "Every returner has four sources of support, each with a different job:"),
    ("num", "1. Your line manager sets your work and objectives and holds your review meetings."),
    ("num", "2. Your returner buddy is someone who came back through the programme themselves. The buddy relationship is informal. We suggest a weekly coffee during the first month, then whenever you like. Buddies are good for the questions you might feel awkward asking a manager."),
    ("num", "3. Your mentor is a senior engineer from outside your team. You meet every two weeks during the placement. Mentoring focuses on your longer-term career, rebuilding confidence, and how to present your experience, rather than on the day-to-day work."),
    ("num", "4. The Returner Circle is a monthly meeting of your whole cohort with the programme lead, to share experiences and solve problems together."),
    ("h1", "5. Refreshing your skills"),
    ("p", "In week 2 you and your line manager agree a short skills refresh plan. Each returner has an individual training budget of GBP 1,500 during the placement, which can be used for courses, software certifications or professional institution fees. You also have full access to the Kestrel internal learning platform from day one. Spend the budget early; it does not carry over after the placement."),
    ("h1", "6. Review points"),
    ("p", "There are three formal reviews, each with your line manager and, if you wish, the programme lead:"),
    ("li", "Week 4 - settling-in check. Mainly about whether the hours, support and work are right, rather than performance."),
    ("li", "Week 8 - mid-point review. Progress against your objectives, with feedback in both directions. If anything needs to change for you to succeed, this is the time to say so."),
    ("li", "Week 14 - final review. The decision on a permanent offer is made at this review, and the outcome is confirmed to you in writing by the end of week 15."),
    ("p", "If a permanent role is not offered, you will receive detailed feedback, a written reference describing your placement, and three months' access to our external careers coaching service."),
    ("h1", "7. Flexible working"),
    ("p", "You do not need to wait for any qualifying period before discussing flexible working. Part-time hours, compressed hours and hybrid working can all be discussed from your first day, and many returners move into permanent roles on a flexible pattern."),
    ("h1", "8. Talking about your career break"),
    ("p", "Returners often ask how to describe their break on a CV or in conversation. Our advice is to keep it short, factual and unapologetic. One line on your CV is enough, for example: \"Career break 2019-2024: full-time carer for a family member; maintained professional institution membership.\" In conversations, a simple three-part answer works well: what the break was for, what you did that kept your skills or thinking active, and why you are returning now. You do not need to share private details."),
    ("h1", "9. Contacts"),
    ("p", "Returners Programme lead: Hannah Lockwood, People Services. Questions about pay and contracts: People Services helpdesk. Questions about your placement work: your line manager."),
]

# ---------------------------------------------------------------------------
# PDF 4: Pellwood alumni mentoring code of conduct (no metadata title)
# ---------------------------------------------------------------------------
PELLWOOD = [
    ("cover", "Code of Conduct for Mentors and Students"),
    ("cover2", "Pellwood University Alumni Mentoring Scheme, 2025-26"),
    ("p", "The Alumni Mentoring Scheme connects current Pellwood students aged 18 and over with alumni mentors for one academic year, from October to June. Everyone taking part, whether mentor or student, agrees to this Code when they register on the scheme platform. Please read it carefully; it exists to keep the scheme safe, fair and useful for everyone."),
    ("space", "6"),
    ("h2", "Contents"),
    ("p", "1. Principles\n2. Commitments of mentors\n3. Commitments of students\n4. Boundaries\n5. Confidentiality and data\n6. Raising a concern\n7. Breaches of the Code\n8. Ending a match"),
    ("small", "Issued by the Alumni Relations Office. Last updated August 2025. If you need this document in a different format, please contact the office."),
    ("break", ""),
    ("h1", "1. Principles"),
    ("p", "We expect everyone in the scheme to be respectful, honest, reliable, and professional, and to respect confidentiality. Mentoring works best when both people feel safe to be open about their uncertainties."),
    ("h1", "2. Commitments of mentors"),
    ("num", "2.1 Hold at least four conversations with your student over the year, online, by phone or in person."),
    ("num", "2.2 Reply to messages from your student within 7 days."),
    ("num", "2.3 Share your experience honestly, including setbacks and mistakes, not only successes."),
    ("num", "2.4 Offer perspectives, not instructions. Students should never feel pressured to follow your advice."),
    ("num", "2.5 Complete the 30-minute online mentor briefing before your first conversation."),
    ("h1", "3. Commitments of students"),
    ("num", "3.1 Take the lead in arranging conversations and suggest times that suit your mentor."),
    ("num", "3.2 Prepare for each conversation with one or two questions or topics."),
    ("num", "3.3 Give at least 24 hours' notice if you cannot attend, except in emergencies."),
    ("num", "3.4 Complete the end-of-year feedback form in June."),
    ("h1", "4. Boundaries"),
    ("h2", "4.1 Where to meet"),
    ("p", "Meet online, by phone, or in a public place such as a cafe, a university building, or the mentor's workplace during working hours. Do not meet in private homes or hotel rooms. Meetings should not be centred on alcohol."),
    ("h2", "4.2 Gifts"),
    ("p", "Small tokens of thanks are fine, but no gift in either direction should exceed GBP 25 in value. Cash or vouchers must never be given."),
    ("h2", "4.3 Jobs, internships and work experience"),
    ("p", "The scheme is for guidance, not recruitment. Mentors must not offer paid jobs, internships or work experience directly to their student through the scheme. If the mentor's organisation has a suitable opportunity, the mentor may tell the student about it and point them to the public application route, where they will be assessed in the normal way. Mentors are welcome to review CVs and applications and to run practice interviews. Students must not ask their mentor to secure them a job or placement."),
    ("h2", "4.4 Money and business"),
    ("p", "Do not lend or borrow money, and do not enter into any business arrangement with each other while the mentoring relationship is active."),
    ("h2", "4.5 Social media"),
    ("p", "Please do not connect on personal social media while the scheme is running. Connecting on professional networking sites is fine if you both agree. Once the scheme year has ended, you are free to stay in touch however you both wish."),
    ("h1", "5. Confidentiality and data"),
    ("p", "Use the personal information you receive only for the purposes of the scheme. Do not share each other's contact details with anyone else without permission. Conversations are confidential, except where someone's safety is at risk, in which case the Alumni Relations Office must be informed."),
    ("h1", "6. Raising a concern"),
    ("p", "If anything happens that makes you uncomfortable, or that you think breaches this Code, contact the Alumni Relations Office, ideally within 48 hours. You can email or phone the office; details are on the scheme platform. Students can also use the University's Report and Support service or contact Student Wellbeing. The scheme may suspend a match while a concern is looked into. Raising a concern in good faith will never count against you."),
    ("h1", "7. Breaches of the Code"),
    ("p", "Minor issues are usually resolved through an informal conversation with the Alumni Relations team. More serious or repeated breaches may lead to a match being suspended or the person being removed from the scheme. Where a concern may involve a criminal offence, the University will refer it to the police."),
    ("h1", "8. Ending a match"),
    ("p", "Either the mentor or the student can end the match at any time by telling the Alumni Relations Office. No reason is required, although feedback helps us improve the scheme. Students whose match ends before February can ask to be matched with a new mentor for the rest of the year."),
]

# ---------------------------------------------------------------------------
# PDF 5: Fenwick Analytics promotion framework (metadata title set)
# ---------------------------------------------------------------------------
FENWICK = [
    ("cover", "Career Levels and Promotion Framework"),
    ("cover2", "Fenwick Analytics | Effective from 1 January 2026"),
    ("small", "Owner: People Team. This framework applies to all permanent employees in analytics, engineering and client services roles. It replaces the 2023 Promotion Guidelines."),
    ("space", "8"),
    ("h2", "Contents"),
    ("p", "1. Purpose\n2. Career levels\n3. Promotion cycles\n4. Calibration\n5. Outcomes\n6. If you are not promoted\n7. Appeals\n8. Time in level\n9. Pay on promotion"),
    ("h2", "Summary of key dates"),
    ("li", "April cycle: nominations and packets due 1 March; promotions effective 1 April."),
    ("li", "October cycle: nominations and packets due 1 September; promotions effective 1 October."),
    ("li", "Feedback conversation after an unsuccessful case: within 15 working days of the outcome."),
    ("li", "Procedural appeals: within 10 working days of the outcome."),
    ("break", ""),
    ("h1", "1. Purpose"),
    ("p", "This framework explains how career levels are defined at Fenwick Analytics and how promotion decisions are made. Our aim is for promotion to be predictable, evidence-based and consistent across teams, so that nobody's progress depends on having the loudest manager."),
    ("h1", "2. Career levels"),
    ("p", "There are six levels. From level 4, there are two parallel tracks: an individual contributor (IC) track and a management track. Both tracks carry the same pay bands at each level."),
    ("li", "L1 Associate Analyst"),
    ("li", "L2 Analyst"),
    ("li", "L3 Senior Analyst"),
    ("li", "L4 Lead Analyst (IC) or Analytics Manager"),
    ("li", "L5 Principal Analyst (IC) or Senior Manager"),
    ("li", "L6 Distinguished Analyst (IC) or Director"),
    ("p", "Each level is described against four dimensions: Craft (technical skill and judgement), Impact (the scale of results you are responsible for), Collaboration (how you work with and through others) and Leadership (how you raise the performance of people around you). Full level descriptions are on the People Hub."),
    ("h1", "3. Promotion cycles"),
    ("p", "Promotions are considered twice a year, in April and October. Successful promotions take effect, with the new salary, from 1 April or 1 October."),
    ("h2", "3.1 Nomination"),
    ("p", "Your manager may nominate you, or you may nominate yourself. The deadline for the April cycle is 1 March, and for the October cycle 1 September. A self-nomination must be shared with your manager, who adds a statement saying whether they support it. A manager cannot block a self-nomination; the committee will consider it either way."),
    ("h2", "3.2 The promotion packet"),
    ("p", "Every nomination is supported by a promotion packet containing:"),
    ("num", "(a) a two-page evidence summary, written against the criteria of the level you are applying for, not your current level;"),
    ("num", "(b) three concrete examples from the last 12 months, each describing the situation, what you did and the result;"),
    ("num", "(c) two peer endorsements, at least one from someone outside your immediate team;"),
    ("num", "(d) your manager's statement."),
    ("h1", "4. Calibration"),
    ("p", "Packets are reviewed by a calibration committee for each function, made up of four to six senior leaders and a People Partner. The committee compares cases across teams for consistency. The key question it asks is whether there is evidence that you have been working at the next level, consistently, for at least six months."),
    ("h1", "5. Outcomes"),
    ("p", "Your manager will tell you the outcome within 5 working days of the calibration meeting, and you will receive written confirmation from the People Team."),
    ("h1", "6. If you are not promoted"),
    ("p", "Not being promoted in a cycle is common and is not a judgement that you will never be promoted. If your case is not successful:"),
    ("num", "6.1 You are entitled to a feedback conversation with your manager within 15 working days of the outcome, including a written summary of the committee's feedback."),
    ("num", "6.2 You and your manager will write a short gap plan: two or three specific gaps, the evidence that would show each gap has been closed, and the opportunities you will need to demonstrate it."),
    ("num", "6.3 The gap plan is reviewed in your regular one-to-ones, at least monthly."),
    ("num", "6.4 You may be nominated again in any later cycle. There is no need to wait a full year. The committee will look specifically at progress against your gap plan."),
    ("p", "Many people find it useful to talk through the feedback with a mentor or a trusted colleague before writing the gap plan."),
    ("h1", "7. Appeals"),
    ("p", "You may appeal only on procedural grounds: for example, if your packet was not considered, if the process in this framework was not followed, or if a committee member had an undeclared conflict of interest. Appeals must be made in writing to the Head of People within 10 working days of the outcome. You will receive a decision within 15 working days. Disagreeing with the committee's judgement is not, by itself, grounds for appeal."),
    ("h1", "8. Time in level"),
    ("p", "As a guide, most people spend between 12 and 24 months at each level, but there is no minimum time in level. Exceptional promotions after a shorter time are possible where the evidence is strong."),
    ("h1", "9. Pay on promotion"),
    ("p", "On promotion your salary will increase by at least 8%, or to the bottom of the new pay band, whichever is higher."),
]

# ---------------------------------------------------------------------------
# PDF 6: Marrow & Finch study leave and tuition support (no metadata title)
# ---------------------------------------------------------------------------
MARROW = [
    ("cover", "Study Leave and Tuition Support Policy"),
    ("small", "Marrow & Finch Group | Policy MF-HR-22 | Version 3 | Applies to all UK employees | Effective 1 April 2025"),
    ("space", "8"),
    ("h2", "Policy summary"),
    ("li", "Up to GBP 4,000 per financial year towards approved qualifications."),
    ("li", "MBAs and programmes costing over GBP 10,000 need Director and Group L&D approval."),
    ("li", "Up to 5 days of paid study leave a year, plus exam days."),
    ("li", "Applications are considered monthly; September starts must apply by 31 May."),
    ("li", "Support is repayable if you leave within 24 months of finishing the course."),
    ("h2", "Contents"),
    ("p", "1. Purpose\n2. Eligibility\n3. What we fund\n4. Study leave\n5. How to apply\n6. Repayment\n7. Keeping us informed\n8. Tax"),
    ("break", ""),
    ("h1", "1. Purpose"),
    ("p", "Marrow & Finch supports employees who want to gain qualifications that will help them in their current role or in a realistic next role within the Group. This policy sets out what financial support and study leave are available, how to apply, and when support may need to be repaid."),
    ("h1", "2. Eligibility"),
    ("p", "You may apply if you are a permanent employee, have completed at least 9 months' continuous service and passed your probation, and are not under notice. Your most recent performance review should be at least \"achieving\"."),
    ("h1", "3. What we fund"),
    ("h2", "3.1 Tuition support"),
    ("p", "We will contribute up to GBP 4,000 per financial year (April to March) towards tuition and examination fees for approved qualifications. These typically include professional qualifications in areas such as accountancy, HR, project management and procurement, as well as undergraduate degrees and part-time master's programmes. Apprenticeships are funded separately and are not covered by this policy."),
    ("h2", "3.2 MBAs and other high-cost postgraduate programmes"),
    ("p", "For an MBA or any postgraduate programme with total fees above GBP 10,000, approval is needed from your Director and from Group Learning and Development. Where approved, we fund 50% of the fees, up to a maximum of GBP 12,000 over the whole programme. The programme must be part-time or in executive format; we do not support full-time study while employed."),
    ("h2", "3.3 What we do not fund"),
    ("li", "Leisure or hobby courses unrelated to work."),
    ("li", "More than one resit of any single exam (the first resit is funded)."),
    ("li", "Late registration fees, library fines or travel to the place of study."),
    ("h1", "4. Study leave"),
    ("p", "For approved courses you are entitled to up to 5 days of paid study leave per year, plus the day of each exam. Part-time employees receive a pro rata allowance. Study leave can be taken in half days and should be booked like annual leave, with at least two weeks' notice."),
    ("h1", "5. How to apply"),
    ("num", "5.1 Discuss the qualification with your line manager, including how it links to your development plan."),
    ("num", "5.2 Complete the Tuition Support Application form on the HR portal. Your manager adds their comments."),
    ("num", "5.3 The Learning and Development Panel meets on the first Tuesday of every month to consider applications."),
    ("num", "5.4 For courses starting in September, applications must reach the Panel by 31 May."),
    ("num", "5.5 Before any money is paid you must sign a Learning Agreement, which includes the repayment terms in section 6. Fees are paid directly to the course provider."),
    ("h1", "6. Repayment"),
    ("p", "6.1 If you resign, or are dismissed for misconduct, within 12 months of the completion date of the course, you must repay 100% of the tuition support you received. If you leave between 12 and 24 months after completion, you must repay 50%. After 24 months nothing is repayable."),
    ("p", "6.2 If you withdraw from the course without good reason, or do not sit the exams, you must repay the costs incurred up to that point."),
    ("p", "6.3 Repayment is not required if you leave because of redundancy or ill health. The Head of Learning and Development may waive repayment in other mitigating circumstances."),
    ("p", "6.4 Amounts due are normally deducted from your final salary, as agreed in your Learning Agreement. Where the amount is larger than your final pay, a repayment plan can be agreed."),
    ("h1", "7. Keeping us informed"),
    ("p", "Please share your results with your manager and with Learning and Development after each stage of the course. If you are struggling to keep up, talk to your manager early; it is often possible to adjust study leave or pause a course."),
    ("h1", "8. Tax"),
    ("p", "Support for qualifications that are work-related is not normally a taxable benefit. Where a course is not directly work-related, Payroll will tell you before you sign the Learning Agreement if there will be any tax implications."),
]


# ---------------------------------------------------------------------------
# DOCX helpers
# ---------------------------------------------------------------------------
def new_doc(title=None, author=None, subject=None):
    d = docx.Document()
    cp = d.core_properties
    cp.title = title or ""
    cp.author = author or ""
    cp.last_modified_by = author or ""
    cp.subject = subject or ""
    cp.comments = ""
    cp.keywords = ""
    return d


def bullets(d, items, style="List Bullet"):
    for it in items:
        d.add_paragraph(it, style=style)


def table(d, rows, style="Table Grid"):
    t = d.add_table(rows=len(rows), cols=len(rows[0]))
    t.style = style
    for i, row in enumerate(rows):
        for j, val in enumerate(row):
            cell = t.cell(i, j)
            cell.text = val
            if i == 0:
                for r in cell.paragraphs[0].runs:
                    r.bold = True
    return t


def bold_para(d, text, size=None):
    p = d.add_paragraph()
    r = p.add_run(text)
    r.bold = True
    if size:
        r.font.size = Pt(size)
    return p


# ---------------------------------------------------------------------------
# DOCX 1: Tidewater Foods mentee handbook (core title set, heading styles, timeline table)
# ---------------------------------------------------------------------------
def build_tidewater():
    d = new_doc(title="Tidewater Foods Mentoring Programme - Mentee Handbook", author="Sam Whitlock")
    d.add_heading("Tidewater Mentoring Programme: Mentee Handbook", level=0)
    d.add_paragraph("Cohort 2026-27 | Issued by the Grow at Tidewater team | Please read before you request a mentor")

    d.add_heading("Welcome", level=1)
    d.add_paragraph(
        "Thank you for signing up. Tidewater mentoring is about one thing: helping you take the next step you want to take, "
        "whether that is a new skill, a move to another site or department, your first supervisory role or simply more confidence "
        "at work. This handbook explains how the programme works and what we ask of you. It is short on purpose.")

    d.add_heading("How Tidewater mentoring works", level=1)
    d.add_paragraph(
        "The programme runs for twelve months, starting each May. It is open to every colleague who has completed three months' "
        "service, including hourly-paid colleagues in production, warehousing and transport. Mentoring meetings take place in paid "
        "time for everyone.")
    bullets(d, [
        "Mentee-led: you choose your mentor and you set the agenda.",
        "Twelve months, with a minimum of eight meetings.",
        "Mentors come from every site and function, and each mentor takes no more than three mentees.",
        "A named Programme Coordinator supports every pair.",
    ])

    d.add_heading("Choosing your mentor", level=1)
    d.add_paragraph(
        "Unlike some schemes, we do not match you with a mentor. You choose. We think people commit more to a relationship they "
        "picked themselves. The process is:")
    for step in [
        "Browse the Mentor Directory in the Tidewater app. Each profile shows the mentor's background, what they can help with and how much availability they have.",
        "Choose three mentors, in order of preference, and submit the request form. Include a note of up to 100 words to your first choice explaining why you picked them.",
        "The coordinator sends your request to your first choice. The mentor has 10 working days to accept or decline.",
        "If they decline or do not reply in time, your request goes to your second choice, and then your third.",
        "If none of your three can take you on, the coordinator will help you choose again from mentors who still have capacity.",
    ]:
        d.add_paragraph(step, style="List Number")
    d.add_paragraph(
        "A tip from past mentees: choose someone who has done the thing you want to do, not necessarily the most senior person in "
        "the directory. A shift manager who moved from the line into quality may be far more useful to you than a director.")

    d.add_heading("Meeting rhythm", level=1)
    d.add_paragraph(
        "Meet every four to six weeks, for about an hour. You need at least eight meetings across the twelve months. Site meeting "
        "rooms can be booked through reception. If you work shifts, the coordinator can help find a slot at shift changeover, and "
        "travel time between sites is paid.")

    d.add_heading("Your one-page goals sheet", level=1)
    d.add_paragraph(
        "Before your second meeting, fill in the one-page goals sheet (template in the app) and share it with your mentor. "
        "Write up to three goals. For each goal note:")
    bullets(d, [
        "what you want to achieve;",
        "why it matters to you;",
        "what success would look like in twelve months.",
    ])
    d.add_paragraph("You and your mentor revisit the goals sheet at the six-month review and change it if your goals have moved.")

    d.add_heading("Programme timeline", level=1)
    table(d, [
        ["Month", "Milestone", "Who"],
        ["March", "Mentor Directory opens; mentees submit their three choices", "Mentees"],
        ["April", "Mentors accept or decline; all matches confirmed by 30 April", "Mentors, coordinator"],
        ["May", "Launch breakfast at each site; first meeting", "Everyone"],
        ["June", "Goals sheet shared with mentor before meeting 2", "Mentee"],
        ["November", "Six-month review: pulse survey and goals sheet revisited", "Mentee and mentor"],
        ["January", "Optional mentee workshop: Career conversations with your manager", "Mentees"],
        ["April (following year)", "Final meeting and written reflection", "Mentee and mentor"],
        ["May (following year)", "Celebration and certificates; next cohort launches", "Everyone"],
    ])

    d.add_heading("If it isn't working", level=1)
    d.add_paragraph(
        "Most problems come from mismatched expectations and can be fixed with one honest conversation. Try that first: say what is "
        "and is not working for you, and ask your mentor the same.")
    d.add_paragraph(
        "If that does not resolve things, either of you can end the mentoring. Before a match is closed, we ask you to have a short "
        "review conversation with the Programme Coordinator. This is a 20-minute call, separately for each of you, so that we "
        "understand what happened and can improve the programme. It is not a disciplinary process and nobody is blamed.")
    bullets(d, [
        "There is no rematch within the same cohort year, because mentor capacity is allocated in April.",
        "You are welcome to join the next cohort, and your request will be given priority in the directory.",
        "Exception: if your mentor leaves Tidewater or changes role significantly within the first four months, the coordinator will help you choose a new mentor straight away.",
    ])

    d.add_heading("Confidentiality", level=1)
    d.add_paragraph(
        "What you discuss with your mentor stays between you. The only exceptions are where someone's safety is at risk, where "
        "there is a food safety or product integrity issue, or where something illegal is involved. In those cases your mentor "
        "will tell you before passing anything on.")

    d.add_heading("Recognition", level=1)
    d.add_paragraph(
        "If you record at least eight meetings in the app, you will receive a certificate at the May celebration, and the programme "
        "counts as a completed activity on your Grow at Tidewater passport.")

    d.add_heading("Contacts", level=1)
    d.add_paragraph("Programme Coordinator: Sam Whitlock (Grow at Tidewater team). Site champions are listed in the app.")
    d.save(os.path.join(HERE, "Handbook_FINAL_v3.docx"))


# ---------------------------------------------------------------------------
# DOCX 2: Individual development plan (no core title; title only as first heading)
# ---------------------------------------------------------------------------
def build_idp():
    d = new_doc(title=None, author="Priya Raman")
    d.add_heading("Individual Development Plan 2026 - Priya Raman", level=1)
    d.add_paragraph("Role: Supply Chain Analyst, Planning team | Manager: Daniel Fry | Mentor: Hannah Osei (Head of Customer Logistics) | Plan agreed: 22 January 2026")

    d.add_heading("Career aspiration", level=2)
    d.add_paragraph(
        "In the next two to three years I want to move into a Supply Planning Lead role, responsible for a product category and "
        "leading a small team. Longer term I am interested in S&OP (sales and operations planning) leadership. I am not yet sure "
        "whether I want to manage people or stay a specialist, and part of this year is about finding out.")

    d.add_heading("Strengths I can build on", level=2)
    bullets(d, [
        "Strong Excel modelling and attention to detail; my forecast accuracy has been the best in the team for two quarters.",
        "Good working relationships with the warehouse and transport teams.",
        "I stay calm in a crisis (the October supplier failure).",
    ])

    d.add_heading("Development areas", level=2)
    bullets(d, [
        "Presenting to senior audiences. I know my numbers but I rush and over-explain when directors are in the room.",
        "Technical skills beyond Excel, especially Python for forecasting and automation.",
        "Leading work across functions rather than just contributing to it.",
        "My network outside the Planning team is small.",
    ])

    d.add_heading("Development goals and actions", level=2)
    table(d, [
        ["Goal", "Actions", "By when", "Support"],
        ["1. Present with confidence to senior audiences",
         "Present the monthly S&OP dashboard myself at three meetings; join the site Speakers' Club and give two short talks; ask for one piece of feedback after each presentation",
         "End of June 2026",
         "Mentor (Hannah) reviews my slides the day before; manager gives feedback after each S&OP meeting"],
        ["2. Learn Python for forecasting",
         "Complete the internal Data Foundations course (modules 1-4); automate the weekly stock-cover report; pair with an analyst from the Analytics team for two sessions",
         "September 2026",
         "Analytics community of practice; course budget of 300 pounds approved by Daniel"],
        ["3. Lead a cross-functional project",
         "Co-lead the packaging waste reduction project with Procurement; run the fortnightly project meeting; present results to the Operations leadership team",
         "Q4 2026",
         "Project sponsor: Head of Operations; mentor advice on stakeholder management"],
        ["4. Widen my network",
         "One coffee chat a month with someone outside Planning; attend two industry events (the regional supply chain forum and one webinar series); follow up each contact within a week",
         "Ongoing, reviewed in December 2026",
         "Mentor introductions (Hannah has offered three names); manager to suggest contacts in Commercial"],
    ])

    d.add_heading("How I will learn", level=2)
    d.add_paragraph(
        "I am using the 70-20-10 idea as a rough guide: most of my learning should come from doing (the project, presenting, "
        "automating real reports), some from other people (mentor, manager, Speakers' Club feedback) and a small amount from "
        "formal courses.")

    d.add_heading("Review schedule", level=2)
    for item in [
        "Monthly: progress check in one-to-ones with Daniel (10 minutes at the end).",
        "Quarterly: plan review with Hannah at our mentoring meeting (March, June, September, December).",
        "December 2026: end-of-year review and first draft of the 2027 plan.",
    ]:
        d.add_paragraph(item, style="List Number")

    d.add_heading("Agreed by", level=2)
    d.add_paragraph("Priya Raman (employee)    Daniel Fry (manager)    Hannah Osei (mentor)")
    d.save(os.path.join(HERE, "IDP_2026_praman.docx"))


# ---------------------------------------------------------------------------
# DOCX 3: Mentoring agreement template (bold paragraphs instead of heading styles)
# ---------------------------------------------------------------------------
def build_agreement():
    d = new_doc(title=None, author="Harbourside WiE Network")
    bold_para(d, "Harbourside Women in Engineering Network", 16)
    bold_para(d, "Mentoring Agreement and Meeting Record", 14)
    d.add_paragraph(
        "Please complete this agreement together at your first meeting. Each of you keeps a copy. You do not need to send it to "
        "the Network, but please email the scheme lead to confirm you have met. Delete the guidance text in italics as you go.")

    bold_para(d, "1. About us")
    d.add_paragraph("Mentor name and role: ________________________________")
    d.add_paragraph("Mentee name and role: ________________________________")
    d.add_paragraph("Date of first meeting: ______________   Planned end date (normally 9 months later): ______________")

    bold_para(d, "2. What we want to achieve")
    p = d.add_paragraph()
    r = p.add_run("Guidance: the mentee writes up to three goals in their own words. Good goals are specific enough that you "
                  "would both recognise when they have been met, e.g. \"apply for chartership by March\" rather than \"progress my career\".")
    r.italic = True
    for n in ("Goal 1:", "Goal 2:", "Goal 3:"):
        d.add_paragraph(n + " ________________________________", style="List Number")

    bold_para(d, "3. How we will meet")
    bullets(d, [
        "Frequency: every three weeks unless we agree otherwise.",
        "Length: up to one hour.",
        "Format: video call by default; in person when we are both in the same city.",
        "Who arranges: the mentee sends the invitation.",
    ])

    bold_para(d, "4. Ground rules")
    bullets(d, [
        "Confidentiality: what we discuss stays between us, unless there is a risk of serious harm to anyone.",
        "The mentee sends a short agenda at least two working days before each meeting.",
        "We give each other at least 48 hours' notice if we need to cancel or move a meeting.",
        "If three meetings in a row are missed or cancelled, either of us may close the mentoring without further discussion.",
        "We give each other honest feedback, including about how the mentoring itself is going.",
        "The mentor will not contact the mentee's employer or colleagues about the mentee without the mentee's agreement.",
        "The mentor offers perspectives; the mentee makes their own decisions.",
    ])

    bold_para(d, "5. Reviewing our mentoring")
    d.add_paragraph(
        "At about three months and again at six months, we will spend part of a meeting reviewing the mentoring itself, using "
        "three questions:")
    for q in [
        "What has been most useful so far?",
        "What should we do differently?",
        "Are the goals in section 2 still the right ones?",
    ]:
        d.add_paragraph(q, style="List Number")

    bold_para(d, "6. Ending")
    d.add_paragraph(
        "Our mentoring will end on the planned end date above, with a final meeting to look back at the goals. We may agree to "
        "extend it once, by up to three months.")
    d.add_paragraph(
        "No-fault clause: either of us may end the mentoring at any time with a short message. No reason is needed, and neither "
        "of us will take it personally. We will let the scheme lead know so that the mentor can be offered a new mentee.")

    bold_para(d, "7. Signatures")
    d.add_paragraph("Mentor: ____________________   Date: __________")
    d.add_paragraph("Mentee: ____________________   Date: __________")

    d.add_page_break()
    bold_para(d, "Meeting record (copy this page for each meeting)", 13)
    d.add_paragraph(
        "The mentee completes this after each meeting and shares it with the mentor within two days. Keep it short; five lines "
        "is plenty.")
    for f in [
        "Meeting number and date:",
        "What we talked about:",
        "What I am taking away:",
        "Actions (who, what, by when):",
        "Next meeting date and first agenda item:",
    ]:
        d.add_paragraph(f + " ________________________________")
    d.save(os.path.join(HERE, "Mentoring_Agreement_Template.docx"))


# ---------------------------------------------------------------------------
# DOCX 4: Orrin County Council secondments and stretch assignments (core title set)
# ---------------------------------------------------------------------------
def build_orrin():
    d = new_doc(title="Secondments and Stretch Assignments: Guidance for Staff", author="Orrin County Council Workforce Development")
    d.add_heading("Secondments and Stretch Assignments", level=0)
    d.add_paragraph("Guidance for staff and managers | Orrin County Council | Workforce Development | Updated September 2025")

    d.add_heading("1. Why we offer them", level=1)
    d.add_paragraph(
        "Some of the best development happens when you do a different job for a while. A secondment or stretch assignment lets "
        "you build new skills, see the Council from another angle and test whether a different career direction suits you, with "
        "the security of returning to your own job afterwards. For the Council, it spreads knowledge between services and helps "
        "us cover short-term needs from our own people.")

    d.add_heading("2. Two options", level=1)
    d.add_heading("2.1 Secondments", level=2)
    d.add_paragraph(
        "A secondment is a temporary move to a different role, either within the Council or with a partner organisation such as "
        "the NHS, another council or a voluntary sector partner. You do the new role full-time (or at your usual hours).")
    bullets(d, [
        "Length: 3 to 12 months, which can be extended once to a maximum of 18 months.",
        "You keep your continuous service and your terms and conditions.",
        "If the secondment is at a higher grade, you are paid at the higher grade for its duration.",
    ])
    d.add_heading("2.2 Stretch assignments", level=2)
    d.add_paragraph(
        "A stretch assignment is a project or piece of work outside your normal role that you do alongside your job, for up to 20% "
        "of your working time (around one day a week for full-time staff). Examples include leading a service review, joining a "
        "digital improvement project, or co-ordinating a community consultation. Stretch assignments normally last between two "
        "and six months.")
    d.add_paragraph(
        "Every stretch assignment needs a short Project Passport, agreed by you, your line manager and the project lead. It records "
        "the time you will spend, what you will deliver, what you want to learn and how your normal work will be covered.")

    d.add_heading("3. Finding an opportunity", level=1)
    d.add_paragraph(
        "Secondments and stretch assignments are advertised on the Opportunities Board on the intranet, which is updated every "
        "Thursday. You can also set up an email alert for particular services or grades. If you have an idea for a stretch "
        "assignment that is not advertised, talk to your manager; many of the best ones are proposed by staff.")

    d.add_heading("4. How to apply", level=1)
    for step in [
        "Talk to your line manager before applying. You need their agreement to be released.",
        "Submit a one-page expression of interest explaining what you would bring and what you want to learn.",
        "Your manager must respond in writing within 10 working days of being asked to release you.",
        "If you are selected, the two managers (or the manager and project lead) agree a start date, usually with at least four weeks' notice so your work can be covered.",
        "For secondments, HR issues a secondment agreement confirming the length, grade and return arrangements.",
    ]:
        d.add_paragraph(step, style="List Number")

    d.add_heading("5. Can my manager say no?", level=1)
    d.add_paragraph(
        "Managers are expected to support development moves wherever they can. A manager may refuse or delay a release only for "
        "documented operational reasons, for example where the service would fall below safe or statutory staffing levels, and "
        "must explain the reason in writing. If a request is refused, you may ask the Head of Service to review the decision. "
        "A manager may not refuse simply because they would prefer to keep you.")

    d.add_heading("6. Acting up", level=1)
    d.add_paragraph(
        "Acting up means temporarily covering a higher-graded post in your own service, for example while a manager is on leave. "
        "If you carry out substantially all of the duties of a higher-graded post for more than four consecutive weeks, you are "
        "entitled to an acting-up allowance, backdated to the first day. Partial cover of some duties may attract an honorarium "
        "instead; your manager will agree this with HR.")

    d.add_heading("7. Coming back", level=1)
    d.add_paragraph(
        "At the end of a secondment you have the right to return to your substantive post, or to a post at the same grade and "
        "similar duties if your post has changed through restructuring. Before you return, hold an end-of-secondment review with "
        "both managers covering:")
    bullets(d, [
        "what you achieved and learned, in writing, for your development record;",
        "how you can use your new skills in your own role;",
        "whether there is any follow-on opportunity, such as a permanent vacancy in the host service.",
    ])
    d.add_paragraph(
        "Stretch assignments end with a short review against the Project Passport. Many staff use these reviews as evidence in "
        "later job applications.")

    d.add_heading("8. Getting the most from it", level=1)
    bullets(d, [
        "Agree two or three learning goals before you start, not just the tasks.",
        "Ask for a mentor or point of contact in the host team who is not your secondment manager.",
        "Keep in touch with your home team; a short monthly update avoids a difficult return.",
        "Ask for feedback at the half-way point, not only at the end.",
    ])
    d.save(os.path.join(HERE, "Doc1.docx"))


# ---------------------------------------------------------------------------
# DOCX 5: Solent Robotics first 100 days for new people leaders (title as first heading, table)
# ---------------------------------------------------------------------------
def build_solent():
    d = new_doc(title=None, author="Solent Robotics People Team")
    d.add_heading("Your First 100 Days as a People Leader", level=0)
    d.add_paragraph("Welcome pack for newly appointed and newly promoted managers at Solent Robotics | Version 2")

    d.add_heading("Congratulations, and a warning", level=1)
    d.add_paragraph(
        "Most of our new managers were promoted because they were excellent at their previous job. That is good news and also the "
        "main risk. The skills that made you a great engineer, technician or account manager are not the same ones that will make "
        "you a good leader, and the most common mistake in the first few months is to keep doing your old job while your team "
        "waits for you to do the new one.")

    d.add_heading("What you get", level=1)
    bullets(d, [
        "A buddy manager from another department, who has led a team at Solent for at least two years. Meet them in your first week and then every fortnight until day 100.",
        "A place on Foundations of Leading, our four-module programme: Leading yourself, Leading one-to-ones, Feedback and difficult conversations, and Leading change. Modules run monthly.",
        "A named HR partner for any people issue, from absence to performance to recruitment.",
        "A 30-minute check-in with your own manager every week for the first 100 days.",
    ])

    d.add_heading("The 100-day plan", level=1)
    d.add_paragraph("Use this as a guide, not a script. Your manager and buddy will help you adapt it.")
    table(d, [
        ["Weeks", "Focus", "Checkpoints"],
        ["1-2", "Listen. Hold a first one-to-one with every team member and ask the five questions (below). Do not change anything yet.", "All first one-to-ones done; buddy meeting held"],
        ["3-6", "Agree how the team works. Run a team charter session: purpose, ways of working, how decisions are made, how we disagree.", "Team charter written and shared; weekly one-to-ones in the diary"],
        ["7-10", "Start giving feedback. Have at least one positive and one developmental feedback conversation with each person. Complete Foundations module 3.", "Feedback conversations held; first delegation list agreed"],
        ["11-14", "Step back and reflect. Ask your team for feedback on you, and hold a 100-day reflection with your manager.", "Upward feedback gathered; 100-day reflection completed"],
    ])

    d.add_heading("The five questions for your first one-to-ones", level=1)
    for q in [
        "What do you enjoy most about your work, and what would you happily never do again?",
        "What is one thing about how the team works that you would change?",
        "How do you like to receive feedback and recognition?",
        "Where do you want to be in two years, and how can I help?",
        "What should I know about you that would help me be a better manager for you?",
    ]:
        d.add_paragraph(q, style="List Number")
    d.add_paragraph("Take notes, thank people, and come back to them about anything you promised to follow up.")

    d.add_heading("One-to-ones", level=1)
    d.add_paragraph(
        "Hold a 30-minute one-to-one with each direct report every week, or every fortnight if you have more than eight reports. "
        "The agenda belongs to them. Cancel as rarely as you possibly can; if you must, move it rather than skip it. Keep a short "
        "shared note for each person so that nothing agreed is lost.")

    d.add_heading("Letting go: the who-owns-it-now list", level=1)
    d.add_paragraph(
        "By week 8, write down every task you did in your old role and, for each one, who owns it now. If the answer is still "
        "\"me\", decide whether it should be delegated, dropped or genuinely kept. Share the list with your manager. Delegation "
        "is not dumping: explain the outcome you need, agree how much freedom the person has, and agree when you will check in.")

    d.add_heading("Leading former peers", level=1)
    d.add_paragraph(
        "If you have been promoted within your own team, talk about it openly in your first one-to-ones. Acknowledge that the "
        "relationship has changed, say what will stay the same, and be consistent. Avoid favouring your closest colleagues, and "
        "avoid over-correcting by being harder on them.")

    d.add_heading("Common pitfalls", level=1)
    bullets(d, [
        "Staying the best individual contributor in the team instead of making the team better.",
        "Changing things in the first fortnight before you understand why they are the way they are.",
        "Saving all feedback for the annual review.",
        "Trying to be liked rather than trusted.",
        "Not asking for help. Your buddy and HR partner are there precisely so you do not have to work things out alone.",
    ])
    d.save(os.path.join(HERE, "welcome_pack_v2.docx"))


# ---------------------------------------------------------------------------
# DOCX 6: Negotiation workshop notes (core title set)
# ---------------------------------------------------------------------------
def build_workshop():
    d = new_doc(title="Workshop Notes: Negotiating Your Offer", author="Open Ledger Network")
    d.add_heading("Negotiating Your Offer - Workshop Notes", level=1)
    d.add_paragraph(
        "Open Ledger Network, spring evening session. Speaker: Rafaela Mendes, former in-house recruiter, now a career coach for "
        "people in finance and data roles. Notes written up by the Network's volunteer team for members who could not attend.")

    d.add_heading("The headline message", level=2)
    d.add_paragraph(
        "Rafaela opened by saying that in ten years of recruiting, she almost never saw an offer withdrawn because a candidate "
        "negotiated politely. She did regularly see candidates accept less than the budget because they did not ask. Most "
        "employers expect some negotiation and leave a little room for it.")

    d.add_heading("Before the offer arrives", level=2)
    bullets(d, [
        "Research the range from at least three sources: salary surveys, job adverts that show pay, and conversations with people in similar roles. One source is an anecdote; three is a range.",
        "Decide three numbers in advance: your ideal figure, your realistic target, and your walk-away point. Write them down before any call.",
        "If asked your current salary, you do not have to answer. Say instead: \"For this role I am looking for something in the range of X to Y, based on my research.\"",
        "Think beyond salary. Know which other parts of the package matter to you.",
    ])

    d.add_heading("When the offer comes", level=2)
    for step in [
        "Thank them and show genuine enthusiasm. Negotiation goes better when they know you want the job.",
        "Do not accept on the call. Ask for the offer in writing and say when you will come back to them, ideally within two working days.",
        "Use the pause. After you name a number, stop talking. Silence feels long, but filling it usually means talking yourself down.",
        "Anchor with evidence, not need: what the market pays and what you bring, rather than your rent.",
    ]:
        d.add_paragraph(step, style="List Number")
    d.add_paragraph("The script Rafaela suggested, which several people wrote down word for word:")
    p = d.add_paragraph(
        "\"I'm really excited about this role and I'd like to make it work. Based on my research and the experience I'd bring in "
        "X, I was expecting something closer to Y. Is there flexibility on the base salary?\"")
    p.style = d.styles["Quote"]

    d.add_heading("The five other asks", level=2)
    d.add_paragraph("If the salary really cannot move, these often can:")
    for a in [
        "A signing bonus, especially if you are leaving a bonus behind.",
        "A salary review after six months, written into the offer, with the criteria agreed now.",
        "Extra days of annual leave.",
        "A training or qualifications budget, or study leave.",
        "Flexibility: remote days, a compressed week, or a later start date.",
    ]:
        d.add_paragraph(a, style="List Number")
    d.add_paragraph("Her advice was to pick the one or two that matter most to you, not all five.")

    d.add_heading("Counter-offers from your current employer", level=2)
    d.add_paragraph(
        "Rafaela's view was blunt: think very carefully before accepting a counter-offer. If the only reason you were leaving was "
        "money, it might work. But people usually leave for several reasons, and a pay rise fixes only one of them. In her "
        "experience, many people who accept a counter-offer are looking again within a year.")

    d.add_heading("Getting it in writing", level=2)
    d.add_paragraph(
        "Anything agreed on the phone should appear in the written offer or contract: salary, bonus, start date, review date, "
        "leave, remote arrangements. If it is not written down, assume it was not agreed.")

    d.add_heading("Questions from the floor", level=2)
    bullets(d, [
        "\"What if they say the band is fixed?\" Ask what the band is and where in it you sit, then move to the other asks.",
        "\"Is it different for internal promotions?\" Less room usually, but still ask, and use the promotion criteria as your evidence.",
        "\"When can I ask for my first raise in a new job?\" Usually at the first annual review, around twelve months in, unless you negotiated an earlier review. Start collecting evidence of your impact from the first month.",
    ])
    d.save(os.path.join(HERE, "notes_from_workshop.docx"))


def main():
    build_pdf("download-2.pdf", "Northgate Ltd - Mentoring Programme Handbook 2026",
              "Page {page} of {{nb}} | Internal", NORTHGATE,
              title="Northgate Ltd - Mentoring Programme Handbook 2026", author="Talent and Learning")
    build_pdf("Ashby_Mentoring_Guidelines.pdf", "Ashby Community Health Partnership - Clinical Mentoring Guidelines",
              "CL-MEN-02 | Page {page} of {{nb}} | Uncontrolled when printed", ASHBY)
    build_pdf("report_final.pdf", "Kestrel Engineering - Returners Programme Guide 2026",
              "Page {page} of {{nb}} | Kestrel People Services", KESTREL,
              title="Kestrel Returners Programme Guide 2026", author="Kestrel People Services")
    build_pdf("scan0042.pdf", "Pellwood University Alumni Mentoring Scheme - Code of Conduct",
              "Alumni Relations Office | Page {page} of {{nb}}", PELLWOOD)
    build_pdf("Promotion_Criteria_2026.pdf", "Fenwick Analytics - Career Levels and Promotion Framework 2026",
              "Page {page} of {{nb}} | Confidential - employees only", FENWICK,
              title="Fenwick Analytics Career Levels and Promotion Framework 2026", author="People Team")
    build_pdf("document.pdf", "Marrow & Finch Group - Study Leave and Tuition Support Policy",
              "MF-HR-22 | Page {page} of {{nb}} | Internal", MARROW)
    build_tidewater()
    build_idp()
    build_agreement()
    build_orrin()
    build_solent()
    build_workshop()


if __name__ == "__main__":
    main()
