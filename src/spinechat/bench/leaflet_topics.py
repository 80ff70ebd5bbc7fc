"""The topics of the benchmark's synthetic hospital leaflets (see ``spinechat.bench.leaflets``).

Each topic is data: facts a leaflet on it may state, each as one or more phrasings. Inside a
phrasing, ``[a|b|c]`` is a choice made per leaflet (an empty choice drops the words) and
``{slot}`` a value of the leaflet (``{hospital}``, ``{ward}``, ``{team}``, ``{name}`` ...).
Written by hand for this benchmark from general orthopaedic patient-information knowledge; no text
was downloaded. The keep-out rules in ``leaflets`` hold for every phrasing: the tests check the
generated text, so a phrasing added here that breaks one fails them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Fact = str | tuple[str, ...]


@dataclass(frozen=True)
class Topic:
    """One leaflet subject and what a leaflet on it may say."""

    slug: str
    kind: str  # "operation", "procedure", "condition", "medicine" or "service"
    name: str  # lower case, as in "after your {name}"
    a_name: str  # with its article, as in "you are having {a_name}"
    part: str  # the body part, "" when none
    titles: tuple[str, ...]
    owner: str
    team: str
    region: str  # "spine", "limb" or "general"
    what: tuple[Fact, ...]
    why: tuple[Fact, ...] = ()
    alternatives: tuple[Fact, ...] = ()
    risks: tuple[tuple[str, Fact], ...] = ()
    before: tuple[Fact, ...] = ()
    day: tuple[Fact, ...] = ()
    after: tuple[Fact, ...] = ()
    recovery: tuple[Fact, ...] = ()
    faq: tuple[tuple[str, Fact], ...] = ()
    help: tuple[Fact, ...] = ()
    wound: bool = False  # a cut in the skin, so a wound-care section
    removal: bool = False  # about taking metalwork or an implant out: no cost section
    drive_weeks: tuple[int, int] | None = None
    work_weeks: tuple[int, int] | None = None  # (desk job, manual job)
    extra_sections: tuple[tuple[str, tuple[Fact, ...]], ...] = field(default=())


_OP = "operation"

TOPICS: tuple[Topic, ...] = (
    Topic(
        slug="hip-replacement",
        kind=_OP,
        name="hip replacement",
        a_name="a total hip replacement",
        part="hip",
        titles=(
            "Total hip replacement",
            "Your hip replacement: information for patients",
            "Having a total hip replacement",
            "Hip replacement surgery: what to expect",
        ),
        owner="Trauma and Orthopaedics",
        team="orthopaedic team",
        region="limb",
        what=(
            (
                "A total hip replacement replaces the worn ball and socket of your hip joint with an artificial joint.",
                "In a hip replacement the damaged ball at the top of the thigh bone and the worn socket in the pelvis are replaced with artificial parts.",
            ),
            (
                "The new ball is fixed into the thigh bone on a stem and the new socket is fitted into the pelvis, either with bone cement or pressed in so that bone grows onto it.",
                "The artificial parts are held in place with bone cement, or they have a rough coating that the bone grows into over the following weeks.",
            ),
            "The parts are made of metal, ceramic and a very hard plastic called polyethylene.",
            "The operation usually takes [about an hour and a half|between one and two hours].",
            (
                "Most people have a spinal anaesthetic, which numbs you from the waist down, often with sedation so you are drowsy.",
                "You will usually have a spinal anaesthetic with sedation, or sometimes a general anaesthetic.",
            ),
        ),
        why=(
            "The main aim is to relieve hip pain that stops you sleeping or walking, when other treatments have not helped.",
            "Most people find their pain is much better and they can walk further within [three|a few] months.",
            "The most common reason for a hip replacement is osteoarthritis, where the smooth cartilage lining the joint wears away.",
        ),
        alternatives=(
            "You can carry on with painkillers, a walking stick, losing weight if you need to and exercises from a physiotherapist.",
            "An injection into the hip may ease the pain for a while but does not cure the arthritis.",
        ),
        risks=(
            (
                "Dislocation",
                "The ball can come out of the socket, usually in the first [few weeks|three months]; this happens to [about 1 in 100|fewer than 2 in 100] people and is usually put back under anaesthetic.",
            ),
            (
                "Leg length difference",
                "Your operated leg may feel slightly longer or shorter; most people get used to this and a shoe raise can help.",
            ),
            (
                "Loosening and wear",
                (
                    "Over many years the artificial joint can wear or the implant can loosen from the bone, which causes pain; a further operation, called a revision, may then be needed to replace it.",
                    "Loosening of the implant is the most common long-term problem. Most hip replacements last [15|20] years or more, but a loose or worn hip may need a revision operation.",
                ),
            ),
            (
                "Fracture",
                "The thigh bone can crack while the stem is being fitted; this is usually fixed during the same operation.",
            ),
            (
                "Nerve injury",
                "Rarely, the nerve running down the back of the leg is stretched, causing numbness or weakness in the foot.",
            ),
        ),
        before=(
            "You will be invited to a joint school session where a physiotherapist and an occupational therapist explain your recovery.",
            "An occupational therapist will ask about the height of your bed, chairs and toilet and may arrange equipment such as a raised toilet seat.",
            "Practise the exercises in this leaflet before your operation; stronger muscles help your recovery.",
        ),
        after=(
            "You will be helped out of bed and walking, usually on the day of your operation or the next morning.",
            "Most people go home after [one to three|two or three] days, when they can walk safely with crutches or a frame and manage stairs.",
            "An x-ray of your new hip is usually taken before you go home.",
            "Sleep on your back or on the operated side with a pillow between your knees for the first [six weeks|few weeks] if your surgeon advises it.",
        ),
        recovery=(
            "Most people use crutches or sticks for [four to six|about six] weeks.",
            "Avoid low chairs and crossing your legs for the first [six weeks|two months] unless your surgeon tells you otherwise.",
            "Swimming can usually start once your wound has healed, and gentle cycling after [six|eight] weeks.",
            "It can take up to a year for the hip to feel completely normal.",
        ),
        faq=(
            (
                "How long will my new hip last?",
                "Most hip replacements last at least 15 years and many last more than 25; younger and more active people may wear them out sooner.",
            ),
            (
                "Will I set off airport security alarms?",
                "Possibly. The metal parts of your new hip can set off metal detectors; you do not need a card, just tell the security staff.",
            ),
            (
                "When can I have sex again?",
                "Most people can resume sexual activity after about six weeks, in positions that are comfortable and keep the hip safe.",
            ),
        ),
        help=(
            "your hip suddenly becomes very painful, looks deformed or your leg seems shorter, as the joint may have dislocated",
        ),
        wound=True,
        drive_weeks=(6, 8),
        work_weeks=(6, 12),
    ),
    Topic(
        slug="hip-revision",
        kind=_OP,
        name="revision hip replacement",
        a_name="a revision hip replacement",
        part="hip",
        titles=(
            "Revision hip replacement",
            "Having your hip replacement redone (revision surgery)",
            "Revision of a hip replacement: patient information",
        ),
        owner="Trauma and Orthopaedics",
        team="hip team",
        region="limb",
        what=(
            (
                "A revision is an operation to replace part or all of a hip replacement that has worn, loosened or become infected.",
                "Revision surgery replaces a hip replacement that is no longer working well, most often because the implant has loosened from the bone.",
            ),
            "It is a bigger operation than the first hip replacement and usually takes [two to four|three or more] hours.",
            "Your surgeon may need to use bone graft or special longer parts to rebuild bone that has been lost around the old implant.",
            (
                "Before deciding, we usually do blood tests and may take fluid from the hip with a needle to check for infection.",
                "Tests for infection are part of the planning: blood tests and sometimes a sample of fluid from the joint.",
            ),
        ),
        why=(
            "Loosening of the implant causes pain in the groin, thigh or buttock, often worse when you start walking.",
            "A loose hip can wear away the bone around it, so your surgeon may advise revision before the bone is damaged further.",
            "Revision may also be advised if the hip keeps dislocating or if the new joint has become infected.",
        ),
        alternatives=(
            "If your symptoms are mild you may choose to wait and have regular x-rays to watch the hip.",
            "Painkillers and a walking stick can help while you decide.",
        ),
        risks=(
            (
                "Infection",
                "Infection is more likely than after a first hip replacement, at about [2 to 3|2 to 4] in 100; it may need a further operation and a long course of antibiotics.",
            ),
            (
                "Dislocation",
                "The new hip is more likely to dislocate than a first replacement, and you may be asked to follow hip precautions for longer.",
            ),
            (
                "Further loosening",
                "A revised hip does not usually last as long as a first replacement and may loosen again in time.",
            ),
            (
                "Blood loss",
                "You are more likely to need a blood transfusion than after a first hip replacement.",
            ),
        ),
        before=(
            "You will see the surgeon and an anaesthetist at a pre-operative assessment clinic, where your blood is checked and your heart and lungs are assessed.",
            "If your old hip is infected, the revision may be done in two stages a few months apart.",
        ),
        after=(
            "You will usually stay in hospital for [four to seven|five to eight] days.",
            "You may be asked to put only part of your weight through the leg for [six|six to twelve] weeks while the bone heals around the new parts.",
            "A physiotherapist will see you every day to help you walk with a frame or crutches.",
        ),
        recovery=(
            "Recovery is slower than after a first hip replacement and it may be a year before you feel the full benefit.",
            "You will have x-rays at your follow-up appointments to check the position of the new implant.",
        ),
        faq=(
            (
                "Why did my first hip replacement loosen?",
                "Loosening happens when the bond between the implant and the bone breaks down, most often from wear of the joint surfaces over many years and sometimes from infection.",
            ),
            (
                "Will the revision hip feel like my first one did?",
                "Most people have less pain after revision, but the hip may feel stiffer and you may need a stick for longer.",
            ),
        ),
        help=("you feel the hip give way or it suddenly becomes very painful",),
        wound=True,
        removal=True,
        drive_weeks=(8, 12),
        work_weeks=(8, 16),
    ),
    Topic(
        slug="knee-replacement",
        kind=_OP,
        name="knee replacement",
        a_name="a knee replacement",
        part="knee",
        titles=(
            "Total knee replacement",
            "Your knee replacement operation",
            "Knee replacement: information for patients and carers",
            "Having a knee replacement",
        ),
        owner="Trauma and Orthopaedics",
        team="knee team",
        region="limb",
        what=(
            (
                "A knee replacement resurfaces the worn ends of the thigh bone and shin bone with metal parts, with a plastic spacer between them.",
                "In a total knee replacement the damaged surfaces of the knee are trimmed away and replaced with metal and plastic parts.",
            ),
            "Sometimes only one side of the knee is worn and a partial knee replacement is possible; your surgeon will tell you which is right for you.",
            "The operation takes about [an hour and a half|one to two hours] and is usually done under a spinal anaesthetic.",
            "A tourniquet may be used on your thigh during the operation to reduce bleeding.",
        ),
        why=(
            "The aim is to relieve pain from arthritis and help you walk further and sleep better.",
            "Most people are pleased with their new knee, but about 1 in 10 still have some pain or stiffness.",
        ),
        alternatives=(
            "Exercise, weight loss, painkillers, a knee brace and physiotherapy can all help with arthritis.",
            "A steroid injection may help for a few months.",
        ),
        risks=(
            (
                "Stiffness",
                "Some people find it hard to bend the knee; the exercises are important and occasionally the knee is bent under anaesthetic.",
            ),
            (
                "Ongoing pain",
                "Around [1 in 10|1 in 8] people still have some pain a year after the operation.",
            ),
            (
                "Loosening",
                "Over the years the implant can loosen or wear, and a second operation may be needed; most knee replacements last 15 to 20 years.",
            ),
            (
                "Numbness",
                "An area of numbness on the outside of the scar is common and usually gets smaller over time.",
            ),
        ),
        before=(
            "Work on straightening and bending your knee before the operation; it helps recovery.",
            "You will be shown how to use crutches and how to get in and out of bed at joint school.",
        ),
        after=(
            "A physiotherapist will get you walking on the day of surgery or the next day.",
            "Most people go home after [one to three|two or three] days.",
            "Your knee will be swollen and bruised; ice packs wrapped in a towel and raising your leg help.",
            "Aim to get the knee fully straight and bent to at least 90 degrees by the time you leave hospital.",
        ),
        recovery=(
            "Do your exercises [three or four|several] times a day for at least [six weeks|three months].",
            "Most people walk without sticks after about six weeks.",
            "Kneeling can be uncomfortable for some months; it will not harm the new knee.",
            "The knee can stay warm and a little swollen for up to a year.",
        ),
        faq=(
            (
                "Why is my knee still swollen?",
                "Swelling is normal for several months; raise your leg when resting and use ice if it helps.",
            ),
            (
                "Can I go back to sport?",
                "Walking, cycling, swimming and golf are usually fine; running and contact sports are not advised.",
            ),
        ),
        help=("you cannot straighten or bend your knee more than you could the week before",),
        wound=True,
        drive_weeks=(6, 8),
        work_weeks=(6, 12),
    ),
    Topic(
        slug="hip-fracture",
        kind=_OP,
        name="hip fracture operation",
        a_name="an operation for a broken hip",
        part="hip",
        titles=(
            "Hip fracture: your operation and recovery",
            "Broken hip (fractured neck of femur): information for patients and families",
            "After a hip fracture: a guide for patients and carers",
        ),
        owner="Orthogeriatric service",
        team="hip fracture team",
        region="limb",
        what=(
            "A hip fracture is a break at the top of the thigh bone, just below the hip joint, usually after a fall.",
            (
                "Depending on where the bone is broken, it is fixed with a metal screw and plate, a nail inside the thigh bone, or the broken ball is replaced with a half hip replacement.",
                "Some breaks are held with a sliding hip screw and plate; others need the ball of the hip replaced (a hemiarthroplasty).",
            ),
            "We aim to do your operation on the day of admission or the day after, because early surgery helps recovery.",
            "The broken neck of the femur cannot heal on its own, which is why almost everyone with a hip fracture needs surgery.",
        ),
        why=(
            "The operation relieves pain and lets you get out of bed and walking as soon as possible, which lowers the risk of pneumonia, pressure sores and blood clots.",
        ),
        risks=(
            (
                "Confusion",
                "Many older people become confused (delirium) after a hip fracture; it usually improves as they recover, and family can help by bringing glasses, hearing aids and familiar things.",
            ),
            (
                "Chest infection",
                "Being in bed increases the risk of chest infection; getting up and breathing exercises help.",
            ),
            (
                "Failure of the fixation",
                "Occasionally the bone does not heal in the right position and a further operation, often a hip replacement, is needed.",
            ),
        ),
        before=(
            "You will be given strong pain relief, often a nerve block in the groin, as soon as you arrive.",
            "Our orthogeriatric doctor will review your medicines, your memory and your bone health.",
        ),
        after=(
            "Most people are allowed to put full weight on the leg straight away.",
            "A physiotherapist will help you sit out and stand on the day after surgery.",
            "Your stay depends on how quickly you regain your walking; some people move to a rehabilitation ward before going home.",
            "We will check your bone health and may start a medicine to strengthen your bones and reduce the chance of another fracture.",
        ),
        recovery=(
            "Recovery takes several months and some people need more help at home than before.",
            "A falls assessment will look at why you fell and how to prevent another fall.",
        ),
        faq=(
            (
                "Will I walk again?",
                "Most people walk again, but many need a walking aid and it can take months to regain confidence.",
            ),
            (
                "Can my family visit?",
                "Yes. Family and carers are welcome and can help at meal times if they wish; please ask the nurse in charge.",
            ),
        ),
        wound=True,
        work_weeks=(8, 12),
    ),
    Topic(
        slug="ankle-fracture-fixation",
        kind=_OP,
        name="ankle fracture operation",
        a_name="an operation to fix a broken ankle",
        part="ankle",
        titles=(
            "Ankle fracture fixation (ORIF)",
            "Your ankle fracture operation: plates and screws",
            "Open reduction and internal fixation of the ankle",
            "Broken ankle: surgery and recovery",
        ),
        owner="Trauma and Orthopaedics",
        team="foot and ankle team",
        region="limb",
        what=(
            (
                "The broken bones are put back into position through a cut over the ankle and held with a metal plate and screws.",
                "Open reduction and internal fixation means the surgeon lines up the broken bones and fixes them with plates, screws or wires.",
            ),
            "The plate usually sits on the outer ankle bone (the fibula) and one or two screws may hold the inner ankle bone.",
            "If the ligament joining the two leg bones is torn, an extra screw or a strong cord is used to hold them together.",
            "The operation takes about [an hour|one to two hours] and may be done under general anaesthetic or a spinal anaesthetic with a nerve block.",
        ),
        why=(
            "An unstable fracture that is not fixed can heal out of position and lead to arthritis in the ankle.",
            "The plate and screws hold the bones still while they heal, which takes about six weeks.",
        ),
        alternatives=(
            "Some stable fractures can be treated in a plaster cast or boot without surgery; your surgeon will explain why an operation is advised for you.",
        ),
        risks=(
            (
                "Infection",
                "About [1 to 4|2 to 5] in 100 people get a wound infection; the risk is higher if you smoke or have diabetes.",
            ),
            (
                "Wound healing problems",
                "The skin around the ankle is thin, and swelling can slow healing; keeping the foot raised helps.",
            ),
            (
                "Arthritis",
                "Even with a good operation, some people develop arthritis in the ankle years later.",
            ),
            (
                "Nerve damage",
                "A small nerve near the cut can be bruised, causing numbness on the top of the foot.",
            ),
        ),
        before=(
            "If your ankle is very swollen, the operation may be delayed for a few days while you keep your leg raised.",
            "Stop smoking if you can: smoking slows bone healing and increases the risk of infection.",
        ),
        after=(
            "Your ankle will be in a plaster backslab or a boot and you will usually not be able to put weight on it for [two to six|about six] weeks.",
            "Keep your foot raised above the level of your heart as much as possible for the first [two weeks|ten days].",
            "You will be given injections or tablets to reduce the risk of blood clots while your leg is in plaster.",
            "You will have an x-ray in the fracture clinic at about [two|six] weeks to check the position of the bones.",
        ),
        recovery=(
            "Most people walk without crutches by about [ten to twelve|eight to twelve] weeks.",
            "The ankle can stay swollen for six months or more, especially at the end of the day.",
            "Most people do not need their plate and screws taken out; they are designed to stay in for life.",
        ),
        faq=(
            (
                "Will the metal set off airport scanners?",
                "It rarely does. You do not need a letter from us.",
            ),
            (
                "Do the plate and screws need to come out?",
                (
                    "Usually not. The metalwork stays in unless it causes problems, and your surgeon will discuss it with you if it does.",
                    "In most people the plate and screws are left in place permanently; removal is only considered if they cause ongoing symptoms.",
                ),
            ),
        ),
        wound=True,
        removal=True,
        drive_weeks=(9, 12),
        work_weeks=(6, 12),
    ),
    Topic(
        slug="metalwork-removal",
        kind=_OP,
        name="removal of metalwork",
        a_name="an operation to remove metalwork",
        part="{site}",
        titles=(
            "Removal of metalwork from your {site}",
            "Removal of plates and screws ({site})",
            "Metalwork removal after a fracture: information for patients",
            "Having your {site} metalwork taken out",
        ),
        owner="Trauma and Orthopaedics",
        team="orthopaedic team",
        region="limb",
        what=(
            (
                "This operation takes out plates, screws, wires or nails that were used to fix a broken bone in your {site}.",
                "Metalwork removal is an operation to take out the plates and screws used to hold a fracture of your {site} while it healed.",
            ),
            "It is usually done as a day case under general anaesthetic, through the old scar.",
            "Most metalwork is left in for life; it is only removed when there is a good reason.",
        ),
        why=(
            "The metalwork may be removed if it causes ongoing pain or aching around the {site}, or if it gets in the way of a further operation.",
            "Some screws that join two bones are taken out on purpose after a few months, so that the joint can work normally again.",
            "In children the metalwork is more often removed, because the bone is still growing.",
        ),
        alternatives=(
            "If the symptoms are mild, you may prefer to leave the metalwork in place; it does no harm to leave it.",
        ),
        risks=(
            (
                "Infection",
                "There is a small risk of wound infection, about [1 to 2|1 to 3] in 100.",
            ),
            (
                "Refracture",
                "The bone is weaker for a few months where the screws were, so there is a small risk of breaking it again; avoid contact sport for [six to twelve|about twelve] weeks.",
            ),
            (
                "Nerve injury",
                "Nerves near the old scar can be bruised, causing numbness that usually recovers.",
            ),
            (
                "Symptoms not improving",
                "Removing the metalwork does not always get rid of the ache; it helps most people but not all.",
            ),
            (
                "Broken screws",
                "Occasionally a screw breaks while being taken out; the surgeon may leave the broken part in the bone, where it does no harm.",
            ),
        ),
        after=(
            "You can usually go home on the same day once you have eaten, drunk and passed urine.",
            "Most people can put full weight on the limb straight away unless we tell you otherwise.",
            "The old screw holes fill in with new bone over about three months.",
        ),
        recovery=(
            "Most people return to desk work within [one to two|two] weeks and to manual work within [four to six|about six] weeks.",
            "A physiotherapist may give you exercises if the {site} is stiff.",
        ),
        faq=(
            (
                "Will the operation be as painful as the first one?",
                "Usually much less, because the bone is already healed; simple painkillers are normally enough.",
            ),
            (
                "Can I keep the metalwork?",
                "Please ask before your operation; some hospitals let you keep it once it has been cleaned.",
            ),
        ),
        wound=True,
        removal=True,
        drive_weeks=(1, 3),
        work_weeks=(2, 6),
    ),
    Topic(
        slug="wrist-fracture",
        kind=_OP,
        name="wrist fracture operation",
        a_name="an operation for a broken wrist",
        part="wrist",
        titles=(
            "Distal radius fracture: your operation",
            "Broken wrist treated with a plate",
            "Wrist fracture fixation: information for patients",
        ),
        owner="Hand and Upper Limb Service",
        team="hand team",
        region="limb",
        what=(
            "A break of the radius bone near the wrist is the most common fracture seen in fracture clinic.",
            (
                "If the bone is badly out of position, it is fixed with a small metal plate and screws on the palm side of the wrist.",
                "The surgeon puts the bone back into position and holds it with a plate and screws, or sometimes with thin wires.",
            ),
            "The operation is usually a day case under a general anaesthetic or an arm block.",
        ),
        why=(
            "Fixing the bone in a good position gives the best chance of a strong, pain-free wrist.",
        ),
        alternatives=("Many wrist fractures heal well in a plaster cast without an operation.",),
        risks=(
            (
                "Stiffness",
                "The wrist and fingers can be stiff for several months; moving your fingers from the first day helps.",
            ),
            (
                "Tendon irritation",
                "Occasionally a tendon rubs on the plate; this can cause pain and the tendon may need to be checked.",
            ),
            (
                "Complex regional pain syndrome",
                "Rarely, the hand becomes very painful, swollen and sensitive; tell us early if this happens.",
            ),
        ),
        after=(
            "Keep your hand raised above your elbow for the first few days to reduce swelling.",
            "Move your fingers, elbow and shoulder several times a day.",
            "You will be in a splint or plaster for [two to six|about two] weeks.",
        ),
        recovery=(
            "A hand therapist will see you after about two weeks to start wrist exercises.",
            "Grip strength can take [six months|up to a year] to return.",
        ),
        faq=(
            (
                "When can I use my hand for light tasks?",
                "Light tasks such as eating and writing are usually fine within a few days, but avoid lifting anything heavier than a cup of tea for six weeks.",
            ),
        ),
        wound=True,
        drive_weeks=(4, 6),
        work_weeks=(2, 8),
    ),
    Topic(
        slug="tibial-nail",
        kind=_OP,
        name="tibial nailing",
        a_name="a nail in your shin bone",
        part="shin",
        titles=(
            "Intramedullary nailing of the tibia",
            "Broken shin bone: treatment with a nail",
            "Tibial fracture nailing: information for patients",
        ),
        owner="Trauma and Orthopaedics",
        team="trauma team",
        region="limb",
        what=(
            (
                "A tibial nail is a metal rod placed down the hollow middle of the shin bone to hold a fracture in position while it heals.",
                "The surgeon passes a long metal nail (sometimes called a rod) inside the shin bone, through a cut just below the knee.",
            ),
            "Screws are placed through the bone and the nail near the knee and near the ankle to stop the bone twisting.",
            "The operation takes about [two hours|one and a half to two and a half hours] under a general anaesthetic.",
        ),
        why=(
            "The nail lets you bend your knee and ankle early and often put weight through the leg sooner than with a plaster cast.",
        ),
        risks=(
            (
                "Knee pain",
                "Pain at the front of the knee, especially when kneeling, is common after tibial nailing.",
            ),
            (
                "Compartment syndrome",
                "Swelling inside the muscles of the leg can cut off blood supply; severe pain that is not relieved by painkillers must be reported straight away.",
            ),
            (
                "Slow healing",
                "Some shin fractures take longer than six months to heal and may need a further operation.",
            ),
        ),
        after=(
            "You will usually be allowed to put weight on your leg as pain allows, with crutches.",
            "Most people stay in hospital for [two to five|three to five] days.",
        ),
        recovery=(
            "Shin fractures take [four to six|three to six] months to heal.",
            "The nail usually stays in for life; it may be taken out later if it causes knee pain.",
        ),
        faq=(
            (
                "What do the nail and screws actually do?",
                "They act as an internal splint, holding the broken bone straight while your body heals it.",
            ),
        ),
        help=(
            "the pain in your leg becomes severe and is not eased by painkillers or raising the leg",
        ),
        wound=True,
        removal=True,
        drive_weeks=(8, 12),
        work_weeks=(6, 16),
    ),
    Topic(
        slug="acl-reconstruction",
        kind=_OP,
        name="ACL reconstruction",
        a_name="an anterior cruciate ligament reconstruction",
        part="knee",
        titles=(
            "Anterior cruciate ligament (ACL) reconstruction",
            "Your ACL reconstruction: before and after",
            "ACL reconstruction and rehabilitation",
        ),
        owner="Sports Knee Service",
        team="knee team",
        region="limb",
        what=(
            "The anterior cruciate ligament is one of the main ligaments holding the knee stable, and it is often torn in twisting injuries.",
            (
                "In an ACL reconstruction the torn ligament is replaced with a graft, usually taken from your hamstring tendons or the middle of your kneecap tendon.",
                "The surgeon makes a new ligament from a tendon graft and passes it through tunnels drilled in the thigh bone and shin bone.",
            ),
            "The graft is held in the bone tunnels with small screws or a button device while it heals in.",
            "The operation is done by keyhole surgery (arthroscopy) and takes about [an hour and a half|one to two hours].",
        ),
        why=(
            "The aim is to stop the knee giving way during sport or daily activities and to protect the cartilage from further damage.",
        ),
        alternatives=(
            "Some people manage well with a structured physiotherapy programme and by avoiding pivoting sports.",
        ),
        risks=(
            (
                "Graft failure",
                "The new ligament can tear again, especially in the first two years or with an early return to sport.",
            ),
            (
                "Stiffness",
                "Not getting the knee fully straight is the most common problem; work on straightening from day one.",
            ),
            (
                "Numbness",
                "A patch of numbness near the scar on the front of the shin is common.",
            ),
        ),
        after=(
            "Most people go home on the day of surgery.",
            "You can usually put full weight on the leg straight away with crutches for balance.",
        ),
        recovery=(
            "Rehabilitation with a physiotherapist takes [nine to twelve|nine] months before a return to pivoting sport.",
            "Running usually starts at [three to four|about four] months if your knee is strong and not swollen.",
        ),
        faq=(
            (
                "When can I play football again?",
                "Not before nine months, and only once you pass strength and hop tests with your physiotherapist.",
            ),
        ),
        wound=True,
        drive_weeks=(2, 6),
        work_weeks=(2, 8),
    ),
    Topic(
        slug="knee-arthroscopy",
        kind=_OP,
        name="knee arthroscopy",
        a_name="a knee arthroscopy",
        part="knee",
        titles=(
            "Knee arthroscopy",
            "Keyhole surgery on the knee: meniscal surgery",
            "Knee arthroscopy (day surgery)",
        ),
        owner="Day Surgery Unit",
        team="knee team",
        region="limb",
        what=(
            "A knee arthroscopy is keyhole surgery using a small camera inserted through cuts about 1 cm long.",
            "It is mostly used to trim or repair a torn meniscus, the cartilage cushion between the thigh bone and shin bone.",
            "It is a day case operation under general anaesthetic and takes [30 to 45 minutes|under an hour].",
        ),
        why=(
            "Surgery may help if a torn meniscus causes the knee to lock or catch.",
            "Arthroscopy does not help the general ache of arthritis, and it is not offered for that.",
        ),
        risks=(
            ("Swelling", "The knee may swell with fluid for a few weeks."),
            ("Infection", "Infection is rare, fewer than 1 in 100."),
        ),
        after=(
            "You can walk on the leg straight away; crutches are occasionally needed for a few days.",
            "If the meniscus was repaired rather than trimmed, you may need crutches and a brace for [four to six|six] weeks.",
        ),
        recovery=("Most people are back to normal activities within [four to six|six] weeks.",),
        faq=(
            (
                "Can I watch the operation?",
                "Under a general anaesthetic you will be asleep, but the surgeon may give you pictures taken during the operation.",
            ),
        ),
        wound=True,
        drive_weeks=(1, 2),
        work_weeks=(1, 4),
    ),
    Topic(
        slug="shoulder-arthroscopy",
        kind=_OP,
        name="shoulder arthroscopy",
        a_name="a shoulder arthroscopy",
        part="shoulder",
        titles=(
            "Shoulder arthroscopy and rotator cuff repair",
            "Arthroscopic shoulder surgery",
            "Keyhole shoulder surgery: information for patients",
        ),
        owner="Upper Limb Unit",
        team="shoulder team",
        region="limb",
        what=(
            "A shoulder arthroscopy is keyhole surgery through two to four small cuts around the shoulder.",
            (
                "It is used to repair torn rotator cuff tendons, to remove bone spurs that pinch the tendons, or to release a frozen shoulder.",
                "A torn rotator cuff tendon is reattached to the bone with small anchors that hold stitches.",
            ),
            "Most people have a general anaesthetic with a nerve block that keeps the arm numb for up to a day.",
        ),
        why=("The aim is to reduce pain and improve how well you can lift and use your arm.",),
        risks=(
            (
                "Stiffness",
                "The shoulder can become stiff; your physiotherapy exercises help prevent this.",
            ),
            (
                "Re-tear",
                "A repaired tendon can tear again, more often in large tears and in older people.",
            ),
        ),
        after=(
            "After a repair you will wear a sling for [four to six|about six] weeks.",
            "Sleeping can be uncomfortable; many people sleep propped up in a chair or with pillows for a few weeks.",
        ),
        recovery=(
            "Full recovery after a rotator cuff repair can take [six months to a year|up to a year].",
        ),
        faq=(
            (
                "Can I use my arm in the sling?",
                "You can use your hand for light tasks such as typing with your elbow by your side.",
            ),
        ),
        wound=True,
        drive_weeks=(6, 8),
        work_weeks=(2, 12),
    ),
    Topic(
        slug="carpal-tunnel-release",
        kind=_OP,
        name="carpal tunnel release",
        a_name="carpal tunnel release",
        part="hand",
        titles=(
            "Carpal tunnel release",
            "Carpal tunnel syndrome: your operation",
            "Carpal tunnel decompression (day surgery)",
        ),
        owner="Hand and Upper Limb Service",
        team="hand team",
        region="limb",
        what=(
            "Carpal tunnel syndrome is caused by pressure on the median nerve as it passes through the wrist.",
            "It causes tingling, numbness and pain in the thumb, index and middle fingers, often worse at night.",
            (
                "In the operation the ligament forming the roof of the tunnel is cut to give the nerve more room.",
                "The surgeon divides the tight ligament at the base of the palm through a small cut, which takes pressure off the nerve.",
            ),
            "It is done under local anaesthetic and takes about [15|10 to 20] minutes.",
        ),
        why=(
            "Surgery is advised when splints and injections have not helped, or the nerve shows signs of damage.",
        ),
        alternatives=("A wrist splint worn at night, and a steroid injection, help many people.",),
        risks=(
            (
                "Scar tenderness",
                "The palm is often tender for [a few months|up to three months]; massaging the scar helps.",
            ),
            (
                "Incomplete recovery",
                "Numbness that has been present a long time may not fully recover.",
            ),
        ),
        after=(
            "Keep your hand raised for [two|two or three] days and move your fingers often.",
            "Your stitches are usually taken out after 10 to 14 days.",
        ),
        recovery=(
            "Tingling often improves within days, but strength in the hand takes a few months to return.",
        ),
        faq=(
            (
                "Will I need both hands done?",
                "If both hands are affected, we usually operate on one at a time so you can look after yourself.",
            ),
        ),
        wound=True,
        drive_weeks=(1, 2),
        work_weeks=(1, 4),
    ),
    Topic(
        slug="bunion-surgery",
        kind=_OP,
        name="bunion surgery",
        a_name="bunion surgery",
        part="foot",
        titles=(
            "Bunion surgery (hallux valgus correction)",
            "Your bunion operation",
            "Scarf osteotomy for bunions",
        ),
        owner="Foot and Ankle Service",
        team="foot and ankle team",
        region="limb",
        what=(
            "A bunion is a bony lump at the base of the big toe, where the toe leans towards the other toes.",
            "The operation cuts and realigns the bone, which is then held with one or two small screws.",
            "It is usually a day case operation under general anaesthetic with an ankle block.",
        ),
        why=("The aim is to reduce pain and make it easier to find comfortable shoes.",),
        risks=(
            ("Swelling", "The foot can stay swollen for [six months|up to a year]."),
            ("Recurrence", "The bunion can slowly come back over years."),
            ("Stiffness", "The big toe joint may be stiffer than before."),
        ),
        after=(
            "You will wear a special flat shoe for [six|about six] weeks and can usually walk on your heel straight away.",
            "Keep your foot raised for most of the day for the first two weeks.",
        ),
        recovery=(
            "Most people wear normal wide shoes again after [eight to twelve|about ten] weeks.",
        ),
        faq=(
            (
                "Will my foot look normal?",
                "Usually much straighter, but the aim of surgery is to relieve pain rather than to improve the look of the foot.",
            ),
        ),
        wound=True,
        drive_weeks=(6, 8),
        work_weeks=(2, 8),
    ),
    Topic(
        slug="kyphoplasty",
        kind="procedure",
        name="vertebroplasty or kyphoplasty",
        a_name="a vertebroplasty or kyphoplasty",
        part="back",
        titles=(
            "Vertebroplasty and kyphoplasty for vertebral fractures",
            "Cement treatment for a painful osteoporotic vertebral fracture",
            "Balloon kyphoplasty: information for patients",
        ),
        owner="Interventional Radiology",
        team="interventional radiology team",
        region="spine",
        what=(
            "A vertebral compression fracture is a collapse of one of the bones of the spine, most often because of osteoporosis.",
            (
                "In a vertebroplasty, a radiologist injects a special bone cement through a needle into the broken vertebra under x-ray guidance.",
                "Vertebroplasty means filling the broken vertebra with bone cement, injected through a needle passed through the skin of your back.",
            ),
            "In a kyphoplasty a small balloon is first inflated inside the vertebra to make a space, which is then filled with cement.",
            "The procedure takes about [an hour|45 minutes to an hour] for each level treated, under local anaesthetic and sedation or a general anaesthetic.",
        ),
        why=(
            "It may be offered when severe pain from a recent vertebral fracture has not settled with painkillers and rest.",
            "The cement sets within minutes and stabilises the fracture, which can ease pain quickly.",
        ),
        alternatives=(
            "Many vertebral fractures become less painful over six to twelve weeks with painkillers, a short rest and gentle activity.",
        ),
        risks=(
            (
                "Cement leakage",
                "A small amount of cement can leak outside the vertebra; this rarely causes symptoms but very occasionally presses on a nerve.",
            ),
            (
                "Further fractures",
                "People with osteoporosis may have further vertebral fractures at other levels, so treating the osteoporosis is important.",
            ),
            ("Bleeding or bruising", "Bruising where the needle went in is common."),
        ),
        before=(
            "You will have an MRI scan to confirm which vertebra is recently broken.",
            "Tell us if you take blood thinners, as they may need to be stopped for a few days.",
        ),
        after=(
            "You will lie flat for [one to two|about two] hours while the cement finishes setting.",
            "Most people go home the same day or the next morning.",
        ),
        recovery=(
            "You can usually return to your normal activities within a few days, avoiding heavy lifting for [six|four to six] weeks.",
            "Your GP or our bone health team will review treatment for osteoporosis.",
        ),
        faq=(
            (
                "Will the pain go away completely?",
                "Many people have much less pain within days, but some pain from the fracture or from the back muscles may remain.",
            ),
        ),
        help=(
            "you develop new weakness or numbness in your legs",
            "you have problems passing urine or controlling your bowels",
        ),
    ),
    Topic(
        slug="sciatica",
        kind="condition",
        name="sciatica",
        a_name="sciatica",
        part="leg",
        titles=(
            "Sciatica and a slipped disc: managing without surgery",
            "Sciatica: information and exercises",
            "Disc prolapse and leg pain: a guide for patients",
        ),
        owner="Musculoskeletal Physiotherapy",
        team="musculoskeletal team",
        region="spine",
        what=(
            "Sciatica is pain that travels from the lower back or buttock down the leg, often to below the knee.",
            (
                "It is usually caused by a bulging (slipped) disc pressing on or irritating a nerve root in the lower back.",
                "The discs between the bones of the spine act as cushions; when the soft centre bulges out it can irritate a nerve.",
            ),
            "You may also feel pins and needles, numbness or weakness in the leg or foot.",
        ),
        why=(
            "Most sciatica gets much better within [six to twelve|six to eight] weeks without an operation.",
            "Staying active is one of the best things you can do; bed rest slows recovery.",
        ),
        alternatives=(
            "Painkillers, medicines for nerve pain, physiotherapy and sometimes an injection can all help while the nerve settles.",
            "Only a small number of people whose pain does not settle are referred to a specialist to discuss other treatments.",
        ),
        risks=(
            (
                "Side effects of medicines",
                "Medicines for nerve pain can cause drowsiness and dizziness; ask your pharmacist.",
            ),
        ),
        recovery=(
            "Walk a little several times a day, increasing the distance as you can.",
            "Gentle exercises such as knee rolls and lying on your front can ease leg pain for some people.",
            "It is normal for pain to come and go while it settles.",
        ),
        faq=(
            (
                "Should I have a scan?",
                "A scan is not usually needed unless your symptoms are not settling or a specialist is considering an injection or other treatment.",
            ),
            (
                "Can I keep working?",
                "Staying at work, with adjustments if needed, usually helps recovery.",
            ),
        ),
        help=(
            "numbness between your legs or around your bottom or genitals",
            "difficulty passing urine, loss of bladder or bowel control",
            "weakness in both legs or legs that are getting weaker",
        ),
    ),
    Topic(
        slug="spinal-cord-stimulator",
        kind="procedure",
        name="spinal cord stimulation",
        a_name="a spinal cord stimulator",
        part="back",
        titles=(
            "Spinal cord stimulation for chronic pain",
            "Spinal cord stimulator trial and permanent stimulator",
            "Neuromodulation: spinal cord stimulation",
        ),
        owner="Pain Management Service",
        team="pain management team",
        region="spine",
        what=(
            "Spinal cord stimulation uses mild electrical pulses to change how pain signals travel to the brain.",
            (
                "Thin leads are placed in the space around the spinal cord and connected to a small battery under the skin of the buttock or tummy.",
                "The stimulator has thin leads near the spinal cord and a small battery, similar to a heart pacemaker, placed under the skin.",
            ),
            "Most people feel a tingling in the painful area, although some newer settings cannot be felt.",
        ),
        why=(
            "It may help long-standing nerve pain in the legs or arms, including complex regional pain syndrome.",
            "It is not a cure; the aim is to reduce pain enough to improve your daily life and reduce painkillers.",
        ),
        alternatives=(
            "You will already have tried medicines, physiotherapy and a pain management programme before this is considered.",
        ),
        risks=(
            (
                "Lead movement",
                "The leads can shift slightly and the stimulation may stop covering the painful area; the settings can often be reprogrammed.",
            ),
            (
                "Infection",
                "About [3 to 5|2 to 4] in 100 people get an infection around the battery or leads.",
            ),
            ("Headache", "Rarely, a leak of spinal fluid causes a headache when sitting up."),
        ),
        before=(
            "You will see a psychologist as part of the assessment; this is routine for everyone.",
            "Most people have a trial with a temporary stimulator for [one to two weeks|about a week] first.",
        ),
        after=(
            "Avoid bending, twisting or stretching above your head for [six|six to eight] weeks to let the leads settle.",
            "You will be shown how to charge the battery and use the handheld controller.",
        ),
        faq=(
            (
                "Can I have an MRI scan?",
                "Some stimulators are safe for MRI under certain conditions; always tell staff you have a stimulator.",
            ),
            (
                "Will the stimulator set off alarms?",
                "It may set off shop and airport security systems; carry your device card.",
            ),
        ),
        help=("you have a fever or the area over the battery becomes red and painful",),
        drive_weeks=(1, 2),
    ),
    Topic(
        slug="cervical-collar",
        kind="service",
        name="cervical collar",
        a_name="a hard neck collar",
        part="neck",
        titles=(
            "Caring for your cervical collar",
            "Living with a hard neck collar",
            "Neck collar care at home",
        ),
        owner="Spinal Nursing Team",
        team="spinal nursing team",
        region="spine",
        what=(
            "A hard collar keeps your neck still while an injury such as a broken bone in the neck heals.",
            "It must be fitted correctly; a nurse or orthotist will adjust it for you and show your family how to check it.",
            "You will usually wear it day and night for [six to twelve|about twelve] weeks.",
        ),
        why=(
            "Keeping the neck still allows the injured bone or ligaments to heal in the right position.",
        ),
        recovery=(
            "Change the pads every [day|one or two days], with someone holding your head still while the collar is open.",
            "Check the skin under the collar every day for redness or sore areas, especially under the chin and at the back of the head.",
            "Keep the pads dry; a wet pad can make the skin sore.",
            "Lie flat with one thin pillow unless you have been told otherwise.",
        ),
        faq=(
            (
                "Can I shower with the collar on?",
                "Ask your team; many people are shown how to wash with a spare set of pads and change them afterwards.",
            ),
            (
                "Can I drive?",
                "No. You must not drive while wearing a collar.",
            ),
        ),
        help=(
            "new numbness, tingling or weakness in your arms or legs",
            "the collar is damaged or no longer fits",
            "a sore area under the collar that is broken or leaking",
        ),
    ),
    Topic(
        slug="scoliosis-bracing",
        kind="service",
        name="scoliosis brace",
        a_name="a scoliosis brace",
        part="back",
        titles=(
            "Brace treatment for adolescent idiopathic scoliosis",
            "Your scoliosis brace: a guide for young people and parents",
            "Scoliosis bracing",
        ),
        owner="Paediatric Orthopaedics",
        team="scoliosis team",
        region="spine",
        what=(
            "Scoliosis is a sideways curve of the spine, most often starting in children aged 10 to 15.",
            "A brace is a firm plastic jacket, made to fit you, that pushes on the curve to stop it getting worse while you are still growing.",
            "The brace does not usually straighten the curve permanently; the aim is to stop it progressing.",
        ),
        why=(
            "Wearing the brace for the prescribed number of hours reduces the chance that the curve grows larger.",
        ),
        recovery=(
            "Most young people are asked to wear the brace for [18 to 23|about 20] hours a day.",
            "Wear a thin, close-fitting cotton top under the brace to protect your skin.",
            "You can take the brace off for showering, sport and swimming.",
            "You will have x-rays every [four to six|six] months to check the curve.",
        ),
        faq=(
            (
                "Will people notice the brace?",
                "Under loose clothes most braces are hard to see.",
            ),
            (
                "What if the curve keeps getting worse?",
                "Your team will talk to you about other options, including whether an operation might be considered in future.",
            ),
        ),
        help=(
            "sore, red or broken areas on your skin that do not settle within an hour of taking the brace off",
        ),
    ),
    Topic(
        slug="back-pain-physiotherapy",
        kind="service",
        name="physiotherapy for back pain",
        a_name="physiotherapy for back pain",
        part="back",
        titles=(
            "Physiotherapy for low back pain",
            "Low back pain: exercises and advice",
            "Getting back to activity with back pain",
            "Managing your back pain: advice from our physiotherapists",
        ),
        owner="Physiotherapy Department",
        team="physiotherapy team",
        region="spine",
        what=(
            "Low back pain is very common and usually not caused by serious damage.",
            "Most episodes settle within [six|four to six] weeks, although pain can come back from time to time.",
            "Your physiotherapist will assess how you move and give you exercises and advice to suit you.",
        ),
        why=(
            "Keeping active and returning to your normal activities gradually is the best way to recover.",
            "Exercise improves strength and confidence; the type of exercise matters less than doing it regularly.",
        ),
        recovery=(
            "Heat packs, simple painkillers and changing position often can help in the early days.",
            "Walking, swimming, yoga and pilates are all good ways to stay active.",
            "Weak or deconditioned muscles can make back pain last longer, so strengthening exercises are part of most programmes.",
            "Worry and poor sleep can make pain feel worse; talk to us if these are affecting you.",
        ),
        faq=(
            (
                "Do I need an x-ray or scan?",
                "Usually not. Scans often show normal age-related changes that do not explain pain.",
            ),
            (
                "Should I rest in bed?",
                "No. Bed rest for more than a day or two slows recovery.",
            ),
        ),
        help=(
            "numbness around your bottom or genitals, or new problems controlling your bladder or bowels",
            "weakness in your legs that is getting worse",
            "back pain with fever, weight loss, or a history of cancer",
        ),
    ),
    Topic(
        slug="nerve-root-injection",
        kind="procedure",
        name="nerve root injection",
        a_name="a nerve root or epidural injection",
        part="back",
        titles=(
            "Nerve root block and epidural steroid injection",
            "Epidural injection for leg pain",
            "Spinal injections for pain: information for patients",
        ),
        owner="Pain Management Service",
        team="pain clinic",
        region="spine",
        what=(
            "A nerve root block is an injection of local anaesthetic and steroid near an irritated nerve in the lower back.",
            "The injection is guided by x-ray or CT so the needle reaches the right place.",
            "It takes about [20 to 30|15 to 30] minutes and you are awake throughout.",
        ),
        why=(
            "It aims to reduce leg pain long enough for you to get moving and do your exercises.",
            "The effect varies: some people have relief for months, others for only a few weeks or not at all.",
        ),
        risks=(
            (
                "Temporary numbness",
                "Your leg may feel numb or weak for a few hours; you should not drive home.",
            ),
            (
                "Raised blood sugar",
                "The steroid can raise blood sugar for a few days in people with diabetes.",
            ),
            ("Infection or bleeding", "These are rare."),
        ),
        before=(
            "Tell us if you take blood thinners or have an allergy to contrast dye or iodine.",
        ),
        after=("You will rest on the unit for [30 minutes|about an hour] before going home.",),
        faq=(
            (
                "How many injections can I have?",
                "Usually no more than [three|three or four] in a year, depending on how much each helps.",
            ),
        ),
        help=(
            "severe headache that is worse sitting up",
            "fever or redness where the needle went in",
        ),
    ),
    Topic(
        slug="osteoporosis-medicines",
        kind="medicine",
        name="osteoporosis medicines",
        a_name="a medicine for osteoporosis",
        part="",
        titles=(
            "Medicines for osteoporosis",
            "Alendronic acid and other bone-strengthening medicines",
            "Treatment for osteoporosis: your medicines",
            "Denosumab and bisphosphonates: information for patients",
        ),
        owner="Bone Health Service",
        team="bone health team",
        region="general",
        what=(
            "Osteoporosis means your bones are weaker and more likely to break after a minor fall or bump.",
            (
                "Bisphosphonates such as alendronic acid slow the breakdown of bone and reduce the risk of fractures.",
                "The most common medicine is alendronic acid, a bisphosphonate tablet taken once a week.",
            ),
            "Other options include zoledronic acid given through a drip once a year, denosumab injections every six months, and daily injections for people at very high risk.",
            "Most people also need calcium and vitamin D, either from food and sunlight or as a supplement.",
        ),
        why=(
            "These medicines reduce the risk of breaking a bone in the spine or hip by up to half.",
        ),
        recovery=(
            (
                "Take alendronic acid first thing in the morning on an empty stomach, with a full glass of plain water, sitting or standing upright for 30 minutes.",
                "Swallow the tablet whole with plain tap water at least 30 minutes before food, drink or other medicines, and stay upright.",
            ),
            "Do not stop denosumab without talking to your doctor, as stopping suddenly can increase the risk of fractures.",
            "Regular weight-bearing exercise, not smoking and keeping alcohol low all help bone health.",
        ),
        risks=(
            (
                "Indigestion",
                "Bisphosphonate tablets can irritate the food pipe; taking them correctly reduces this.",
            ),
            (
                "Jaw problems",
                "A rare problem called osteonecrosis of the jaw can occur; see your dentist regularly and tell them about your medicine.",
            ),
            (
                "Unusual thigh fractures",
                "Very rarely, after years of treatment; report new thigh or groin pain.",
            ),
        ),
        faq=(
            (
                "How long will I take it?",
                "Usually for [three to five|five] years, then your doctor will review whether to continue or have a break.",
            ),
            (
                "Will it make my bones feel stronger?",
                "You will not feel any different; the benefit is fewer fractures over time.",
            ),
        ),
        help=("pain or difficulty swallowing, or heartburn that is new or worse",),
    ),
    Topic(
        slug="bone-density-scan",
        kind="service",
        name="bone density scan",
        a_name="a bone density (DXA) scan",
        part="",
        titles=(
            "Your bone density (DXA) scan",
            "DEXA scan: what to expect",
            "Bone densitometry appointment information",
        ),
        owner="Radiology Department",
        team="radiology team",
        region="general",
        what=(
            "A DXA scan measures the density of your bones, usually at the hip and the lower spine, using a very low dose of x-rays.",
            "It is used to diagnose osteoporosis and to work out your risk of breaking a bone.",
            "You lie on your back on a padded table while the scanner arm passes over you; it takes [10 to 20|about 15] minutes.",
        ),
        before=(
            "Wear comfortable clothes without zips, buckles or buttons around the waist if you can.",
            "Do not take calcium tablets on the day of the scan.",
            "Tell us if you have had a barium study or a scan with contrast in the last [week|two weeks].",
        ),
        recovery=("You can go home and carry on as normal straight after the scan.",),
        faq=(
            (
                "What do the results mean?",
                "The result is given as a T-score; a score of -2.5 or lower means osteoporosis.",
            ),
            (
                "When will I get my results?",
                "The report is sent to the doctor who referred you within [two to three|about two] weeks.",
            ),
        ),
    ),
    Topic(
        slug="fracture-clinic",
        kind="service",
        name="fracture clinic appointment",
        a_name="a fracture clinic appointment",
        part="",
        titles=(
            "Welcome to the fracture clinic",
            "Your fracture clinic appointment",
            "Virtual fracture clinic: information for patients",
        ),
        owner="Trauma and Orthopaedics",
        team="fracture clinic team",
        region="general",
        what=(
            "The fracture clinic sees people with broken bones and soft tissue injuries after they have been seen in the emergency department or urgent treatment centre.",
            "Many simple injuries are now reviewed in a virtual fracture clinic, where a consultant looks at your x-rays and notes and we phone you with a plan.",
            "Clinics are busy and waiting times can be long; please allow [two to three|up to three] hours.",
        ),
        before=(
            "Bring a list of your medicines and any splint or boot you were given.",
            "Wear loose clothing that can go over a plaster or be rolled up.",
        ),
        recovery=(
            "You may have an x-ray before seeing the doctor or practitioner.",
            "You may see a doctor, a specialist nurse, a physiotherapist or a plaster technician.",
        ),
        faq=(
            (
                "Why did I get a phone call instead of an appointment?",
                "Our virtual clinic lets us treat simple injuries without you having to travel; you can still be seen in person if you need to be.",
            ),
            (
                "Can I bring someone with me?",
                "Yes, one adult may come with you; children must be accompanied.",
            ),
        ),
    ),
    Topic(
        slug="plaster-cast-care",
        kind="service",
        name="plaster cast",
        a_name="a plaster cast",
        part="",
        titles=(
            "Caring for your plaster cast",
            "Plaster cast care advice",
            "Looking after your cast or splint",
        ),
        owner="Plaster Room",
        team="plaster room team",
        region="general",
        what=(
            "Your cast holds your broken bone still while it heals; it may be plaster of Paris or a lighter synthetic material.",
            "A plaster of Paris cast takes about [48|24 to 48] hours to dry fully, so be careful with it until then.",
        ),
        recovery=(
            "Keep the limb raised above the level of your heart for the first [48 to 72 hours|two to three days] to reduce swelling.",
            "Move your fingers or toes regularly to help the circulation.",
            "Keep the cast dry; use a waterproof cover when you wash.",
            "Do not push anything inside the cast to scratch an itch.",
            "Do not cut or change the cast yourself.",
        ),
        faq=(
            (
                "My cast is itchy. What can I do?",
                "Try blowing cool air from a hairdryer on a cold setting into the cast.",
            ),
            (
                "Can I fly with a cast?",
                "Check with the airline; most ask you to wait 24 to 48 hours after a cast is put on.",
            ),
        ),
        help=(
            "your fingers or toes become numb, blue, white or very swollen",
            "pain becomes much worse or the cast feels too tight",
            "the cast cracks, becomes soft or loose",
            "a smell or discharge comes from inside the cast",
        ),
    ),
    Topic(
        slug="pain-relief-after-surgery",
        kind="medicine",
        name="pain relief after orthopaedic surgery",
        a_name="pain relief after your operation",
        part="",
        titles=(
            "Pain relief after orthopaedic surgery",
            "Managing your pain after bone and joint surgery",
            "Your painkillers after your operation",
        ),
        owner="Acute Pain Service",
        team="acute pain team",
        region="general",
        what=(
            "Good pain relief helps you move, breathe deeply and sleep, which all speed up recovery.",
            "Take painkillers regularly for the first few days rather than waiting until the pain is bad.",
            (
                "Most people take paracetamol regularly, with an anti-inflammatory such as ibuprofen if it is safe for them, and a stronger painkiller only if needed.",
                "A typical plan is paracetamol four times a day, plus ibuprofen or naproxen if suitable, with codeine or morphine tablets for a few days if the pain is severe.",
            ),
        ),
        risks=(
            (
                "Constipation",
                "Strong painkillers often cause constipation; drink plenty and use the laxatives we give you.",
            ),
            ("Drowsiness", "Do not drive or drink alcohol while taking strong painkillers."),
            (
                "Dependence",
                "Opioid painkillers are for short-term use; reduce them as your pain improves.",
            ),
        ),
        recovery=(
            "Reduce the strong painkillers first, then the anti-inflammatory, then paracetamol.",
            "Ice packs wrapped in a towel for 15 to 20 minutes and raising the limb also help.",
            "Bring any unused strong painkillers to a pharmacy for safe disposal.",
        ),
        faq=(
            (
                "How long will the nerve block last?",
                "Usually 12 to 24 hours; start your tablets before it wears off.",
            ),
        ),
        help=("pain that is not controlled by the painkillers you have been given",),
    ),
    Topic(
        slug="anaesthesia",
        kind="service",
        name="anaesthetic",
        a_name="an anaesthetic",
        part="",
        titles=(
            "Preparing for your anaesthetic",
            "Anaesthesia for orthopaedic surgery",
            "You and your anaesthetic",
        ),
        owner="Department of Anaesthesia",
        team="anaesthetic team",
        region="general",
        what=(
            "Your anaesthetist is a doctor who will look after you during your operation.",
            (
                "For bone and joint surgery you may have a general anaesthetic, a spinal anaesthetic, a nerve block, or a combination.",
                "A spinal anaesthetic numbs the lower half of your body; a nerve block numbs just the arm or leg being operated on.",
            ),
            "Sedation can be given with a spinal or a block so that you are relaxed and drowsy.",
        ),
        before=(
            "Do not eat for six hours before your operation; you may drink water until [two hours|the time we tell you] before.",
            "Stop smoking as early as you can before your operation.",
            "Bring all your medicines in their boxes, and tell us about any problems you or your family have had with anaesthetics.",
        ),
        risks=(
            (
                "Feeling sick",
                "Sickness after an anaesthetic is common; tell your anaesthetist if you have been sick after one before, as medicines can help prevent it.",
            ),
            (
                "Sore throat",
                "A sore throat is common after a general anaesthetic and settles within a day or two.",
            ),
            (
                "Headache",
                "A headache can follow a spinal anaesthetic; it usually settles with rest and fluids.",
            ),
            ("Serious problems", "Serious problems such as allergic reactions are rare."),
        ),
        faq=(
            (
                "Will I be awake during a spinal anaesthetic?",
                "You can choose to have sedation so you are drowsy, or stay awake and listen to music.",
            ),
            (
                "I am very anxious about the anaesthetic. What can I do?",
                "Tell us. Your anaesthetist can talk through your worries and the choices you have.",
            ),
        ),
    ),
    Topic(
        slug="blood-clot-prevention",
        kind="medicine",
        name="blood clot prevention",
        a_name="treatment to prevent blood clots",
        part="",
        titles=(
            "Reducing your risk of blood clots after orthopaedic surgery",
            "Preventing blood clots (VTE) in hospital and at home",
            "Blood clot prevention after joint replacement",
        ),
        owner="Thrombosis Committee",
        team="thrombosis team",
        region="general",
        what=(
            "A blood clot in a vein (deep vein thrombosis) can form after surgery or when your leg is in plaster.",
            "Part of a clot can travel to the lungs (pulmonary embolism), which can be serious.",
            (
                "You may be given injections of a blood thinner such as enoxaparin, or tablets such as apixaban or rivaroxaban, usually for [two to six|up to five] weeks.",
                "After hip and knee replacement most people take a blood-thinning tablet or injection for several weeks.",
            ),
        ),
        recovery=(
            "Get moving as soon as you can after your operation and keep drinking plenty of fluids.",
            "Wear stockings only if you have been asked to, and take them off daily to check your skin.",
            "Take every dose of your blood thinner, and bring the sharps bin back as instructed.",
        ),
        risks=(
            (
                "Bleeding",
                "Blood thinners increase bruising and bleeding; tell us about blood in your urine or stools.",
            ),
        ),
        faq=(
            (
                "Can I fly after my operation?",
                "Long flights increase the risk of clots; ask your surgeon, and usually avoid long-haul flights for [six|twelve] weeks.",
            ),
        ),
        help=(
            "pain, swelling or redness in your calf or thigh",
            "sudden breathlessness, chest pain or coughing up blood",
        ),
    ),
    Topic(
        slug="wound-care-joint-replacement",
        kind="service",
        name="wound care after joint replacement",
        a_name="wound care after your joint replacement",
        part="",
        titles=(
            "Looking after your wound after joint replacement",
            "Wound care after hip or knee replacement",
            "Your surgical wound: care at home",
        ),
        owner="Tissue Viability and Orthopaedic Nursing",
        team="orthopaedic nursing team",
        region="general",
        what=(
            "Your wound will be covered with a dressing that can stay on for up to [seven|ten] days if it is clean and dry.",
            "Some wounds leak a little fluid for the first few days; tell us if the dressing becomes soaked.",
            "Wounds are closed with dissolvable stitches, clips or glue; clips are taken out at [10 to 14|12 to 14] days, often by the practice nurse.",
        ),
        recovery=(
            "Wash your hands before touching the dressing.",
            "Do not use creams, talc or oils on the wound until it has fully healed.",
            "You can shower once the dressing is waterproof or the wound is dry; avoid baths and swimming until it has healed.",
            "Once healed, massaging the scar with a plain moisturiser can help it soften.",
            "Eating well, including protein, and not smoking help wounds heal.",
            "People with diabetes or poor circulation may heal more slowly, so keep a close eye on the wound.",
        ),
        faq=(
            (
                "Is some bruising normal?",
                "Yes. Bruising can spread down the leg and take several weeks to fade.",
            ),
        ),
        help=(
            "redness spreading around the wound",
            "the wound becomes hot, more swollen or more painful",
            "pus, a bad smell or increasing leakage from the wound",
            "the wound edges come apart",
        ),
    ),
    Topic(
        slug="driving-return-to-work",
        kind="service",
        name="returning to driving and work after surgery",
        a_name="returning to driving and work",
        part="",
        titles=(
            "Driving and returning to work after orthopaedic surgery",
            "When can I drive and go back to work after my operation?",
            "Getting back to normal after surgery: driving, work and travel",
        ),
        owner="Occupational Therapy",
        team="occupational therapy team",
        region="general",
        what=(
            "You must be able to control the car safely, including an emergency stop, before you drive.",
            "It is your responsibility to decide when you are safe to drive; your surgeon can give guidance.",
            "As a rough guide, people drive after [six to eight|about six] weeks following hip or knee replacement and after [two|one or two] weeks after simple hand surgery.",
            "Do not drive while taking strong painkillers that make you drowsy.",
        ),
        recovery=(
            "When you return to work depends on your job: people with desk jobs may go back sooner than people with physical work.",
            "A phased return, with shorter hours at first, helps many people.",
            "Your GP or the hospital can give you a fit note for the time you are off work.",
            "Talk to your employer early about adjustments such as a different chair or lighter duties.",
        ),
        faq=(
            (
                "Do I need to tell my car insurer?",
                "It is sensible to check with your insurer whether they have any conditions after surgery.",
            ),
            (
                "Can I be a passenger?",
                "Yes, once you are comfortable sitting for the journey; take breaks on long journeys.",
            ),
        ),
    ),
    Topic(
        slug="crutches",
        kind="service",
        name="using crutches",
        a_name="crutches",
        part="",
        titles=(
            "Using elbow crutches safely",
            "Walking with crutches: advice from physiotherapy",
            "Crutches and walking aids",
        ),
        owner="Physiotherapy Department",
        team="physiotherapy team",
        region="general",
        what=(
            "Crutches help you walk while taking some or all of the weight off an injured or operated leg.",
            "Your physiotherapist will set the crutches to the right height and check you can use them safely.",
        ),
        recovery=(
            "To walk, move both crutches forward, then the injured leg, then step through with the good leg.",
            "Going upstairs: good leg first, then the injured leg, then the crutches. Going downstairs: crutches first, then the injured leg, then the good leg.",
            "Check the rubber tips regularly and replace them if they are worn.",
            "Clear away rugs that slide and trailing cables at home to reduce the risk of falling.",
        ),
        faq=(
            (
                "How do I carry things?",
                "Use a small backpack or a bag across your body, and a flask for hot drinks.",
            ),
        ),
    ),
    Topic(
        slug="steroid-joint-injection",
        kind="procedure",
        name="steroid joint injection",
        a_name="a steroid injection into a joint",
        part="joint",
        titles=(
            "Steroid injections into joints and soft tissues",
            "Your joint injection",
            "Corticosteroid injection: information for patients",
        ),
        owner="Musculoskeletal Service",
        team="musculoskeletal team",
        region="limb",
        what=(
            "A steroid injection reduces inflammation in a joint, such as the knee or shoulder, or around a tendon.",
            "It is often mixed with local anaesthetic, so the area may feel numb for a few hours.",
        ),
        why=("It can ease pain for weeks or months and help you do your exercises.",),
        risks=(
            ("Flare", "The pain can be worse for a day or two before it improves."),
            ("Infection", "Infection is rare, about 1 in 10,000 to 1 in 50,000 injections."),
            ("Skin changes", "The skin where the needle went in can thin or lighten."),
        ),
        recovery=("Rest the joint for a day or two, then return to your usual activities.",),
        faq=(
            (
                "How many injections can I have?",
                "Usually no more than [three|three or four] a year in the same joint.",
            ),
        ),
        help=("the joint becomes hot, red and very painful, or you have a fever",),
    ),
    Topic(
        slug="frozen-shoulder",
        kind="condition",
        name="frozen shoulder",
        a_name="a frozen shoulder",
        part="shoulder",
        titles=(
            "Frozen shoulder",
            "Frozen shoulder (adhesive capsulitis): advice and treatment",
        ),
        owner="Upper Limb Unit",
        team="shoulder team",
        region="limb",
        what=(
            "A frozen shoulder is a painful stiffening of the lining of the shoulder joint.",
            "It often goes through a painful phase, a stiff phase and a recovery phase, over [one to three|up to three] years.",
            "It is more common in people aged 40 to 60 and in people with diabetes.",
        ),
        alternatives=(
            "Painkillers, a steroid injection, physiotherapy and a stretching programme help most people.",
            "A hydrodilatation injection or keyhole release is occasionally offered if symptoms do not improve.",
        ),
        recovery=(
            "Gentle stretching within the limits of pain is better than forcing the shoulder.",
        ),
        faq=(
            (
                "Will it come back?",
                "It rarely comes back in the same shoulder, but the other shoulder can be affected.",
            ),
        ),
    ),
)

# Sites of metalwork removal ({site} in the metalwork-removal topic).
REMOVAL_SITES = ("ankle", "wrist", "forearm", "shin", "collarbone", "elbow", "kneecap", "foot")

# More ways to say a topic's single-phrasing facts, keyed by that phrasing: a leaflet says the fact
# in one of them. Mostly for the subjects with few facts, whose leaflets would otherwise repeat.
EXTRA_PHRASINGS: dict[str, tuple[str, ...]] = {
    # osteoporosis medicines
    "Osteoporosis means your bones are weaker and more likely to break after a minor fall or bump.": (
        "With osteoporosis, bones lose strength and can break after a fall from standing height.",
        "Osteoporosis is a condition in which bones become thinner and fragile, so they break more easily.",
    ),
    "Other options include zoledronic acid given through a drip once a year, denosumab injections every six months, and daily injections for people at very high risk.": (
        "If tablets do not suit you, a yearly zoledronic acid infusion or a denosumab injection every six months are alternatives.",
        "Some people have treatment as an injection or a drip instead of tablets: denosumab twice a year or zoledronic acid once a year.",
    ),
    "Most people also need calcium and vitamin D, either from food and sunlight or as a supplement.": (
        "You will usually need enough calcium and vitamin D as well, from your diet or from supplements.",
        "Calcium and vitamin D supplements are often prescribed alongside these medicines.",
    ),
    "These medicines reduce the risk of breaking a bone in the spine or hip by up to half.": (
        "Taken as prescribed, these medicines can roughly halve the chance of a fracture in the spine.",
        "Treatment lowers your risk of future fractures, particularly of the hip and spine.",
    ),
    "Do not stop denosumab without talking to your doctor, as stopping suddenly can increase the risk of fractures.": (
        "Denosumab must not be stopped or delayed without a plan from your doctor.",
    ),
    "Regular weight-bearing exercise, not smoking and keeping alcohol low all help bone health.": (
        "Walking, strength exercises, stopping smoking and drinking less alcohol all help keep bones strong.",
    ),
    # plaster cast care
    "Your cast holds your broken bone still while it heals; it may be plaster of Paris or a lighter synthetic material.": (
        "A cast keeps the broken bone in the right position while it mends.",
        "Casts are made of plaster of Paris or fibreglass and protect the fracture while it heals.",
    ),
    "Keep the cast dry; use a waterproof cover when you wash.": (
        "Water softens plaster, so cover the cast with a waterproof protector in the shower.",
        "Never get the cast wet; a plastic bag is not enough, so use a proper cover.",
    ),
    "Do not push anything inside the cast to scratch an itch.": (
        "Pushing knitting needles or pens down the cast can damage your skin and cause infection.",
    ),
    "Do not cut or change the cast yourself.": (
        "Never trim or alter the cast; come back to the plaster room if it needs changing.",
    ),
    "Move your fingers or toes regularly to help the circulation.": (
        "Wiggle your fingers or toes often to keep the blood flowing.",
    ),
    # back pain physiotherapy
    "Low back pain is very common and usually not caused by serious damage.": (
        "Most back pain is not due to any serious problem, even when it is very painful.",
        "Back pain affects most adults at some time, and it is rarely a sign of serious disease.",
    ),
    "Your physiotherapist will assess how you move and give you exercises and advice to suit you.": (
        "At your first appointment the physiotherapist will ask about your pain and look at how you move.",
    ),
    "Keeping active and returning to your normal activities gradually is the best way to recover.": (
        "Staying as active as you can is the most helpful thing you can do.",
        "Gradually getting back to your usual activities speeds recovery.",
    ),
    "Exercise improves strength and confidence; the type of exercise matters less than doing it regularly.": (
        "Any exercise you enjoy and can keep up is likely to help.",
    ),
    "Walking, swimming, yoga and pilates are all good ways to stay active.": (
        "Good options include walking, swimming, cycling and pilates.",
    ),
    "Heat packs, simple painkillers and changing position often can help in the early days.": (
        "In the first few days, warmth, simple painkillers and moving often can ease the pain.",
    ),
    "Worry and poor sleep can make pain feel worse; talk to us if these are affecting you.": (
        "Stress, low mood and poor sleep can all increase pain, so tell your physiotherapist about them.",
    ),
    # cervical collar
    "A hard collar keeps your neck still while an injury such as a broken bone in the neck heals.": (
        "Your collar holds the neck steady so that the injured bone or ligaments can heal.",
        "A rigid collar limits movement of the neck after an injury.",
    ),
    "It must be fitted correctly; a nurse or orthotist will adjust it for you and show your family how to check it.": (
        "The orthotist will size the collar and show you and your carers how it should sit.",
    ),
    "Check the skin under the collar every day for redness or sore areas, especially under the chin and at the back of the head.": (
        "Look at the skin under the chin, on the shoulders and at the back of the head daily for sore patches.",
    ),
    "Keep the pads dry; a wet pad can make the skin sore.": (
        "Damp pads rub the skin, so change them if they get wet.",
    ),
    "Lie flat with one thin pillow unless you have been told otherwise.": (
        "Sleep on your back with one pillow unless advised otherwise.",
    ),
    # sciatica
    "Sciatica is pain that travels from the lower back or buttock down the leg, often to below the knee.": (
        "Sciatica describes pain running from the buttock down the back of the leg.",
        "The word sciatica means leg pain caused by an irritated nerve, often felt below the knee.",
    ),
    "You may also feel pins and needles, numbness or weakness in the leg or foot.": (
        "Some people also notice tingling or numbness in the foot.",
    ),
    "Staying active is one of the best things you can do; bed rest slows recovery.": (
        "Keep moving as much as you can; resting in bed makes recovery slower.",
    ),
    "Walk a little several times a day, increasing the distance as you can.": (
        "Short, frequent walks are better than staying still.",
    ),
    "It is normal for pain to come and go while it settles.": (
        "Good days and bad days are normal while the nerve recovers.",
    ),
    # wound care
    "Some wounds leak a little fluid for the first few days; tell us if the dressing becomes soaked.": (
        "A little oozing is normal at first; call us if fluid soaks through the dressing.",
    ),
    "Wash your hands before touching the dressing.": (
        "Clean hands are the best protection for your wound.",
    ),
    "Do not use creams, talc or oils on the wound until it has fully healed.": (
        "Avoid creams and talc until the wound has healed.",
    ),
    "Once healed, massaging the scar with a plain moisturiser can help it soften.": (
        "After healing, scar massage with a plain cream helps.",
    ),
    "Eating well, including protein, and not smoking help wounds heal.": (
        "A good diet with enough protein helps healing; smoking slows it down.",
    ),
    "People with diabetes or poor circulation may heal more slowly, so keep a close eye on the wound.": (
        "Diabetes and poor circulation slow healing, so check the wound daily.",
    ),
    # crutches
    "Crutches help you walk while taking some or all of the weight off an injured or operated leg.": (
        "Crutches take weight off your leg while it heals.",
    ),
    "Your physiotherapist will set the crutches to the right height and check you can use them safely.": (
        "We will adjust your crutches so the handles are level with your wrists.",
    ),
    "Check the rubber tips regularly and replace them if they are worn.": (
        "Worn ferrules slip: check the rubber ends weekly.",
    ),
    # fracture clinic
    "The fracture clinic sees people with broken bones and soft tissue injuries after they have been seen in the emergency department or urgent treatment centre.": (
        "You have been referred to the fracture clinic for review of your injury.",
        "The fracture clinic follows up injuries first seen in the emergency department.",
    ),
    "Bring a list of your medicines and any splint or boot you were given.": (
        "Please bring your medicines list and any splint you were given.",
    ),
    "Wear loose clothing that can go over a plaster or be rolled up.": (
        "Loose clothes make it easier to examine the injury.",
    ),
    # bone density
    "It is used to diagnose osteoporosis and to work out your risk of breaking a bone.": (
        "The scan shows whether you have osteoporosis and helps estimate your fracture risk.",
    ),
    "Do not take calcium tablets on the day of the scan.": (
        "Leave out calcium supplements on the morning of the scan.",
    ),
    "You can go home and carry on as normal straight after the scan.": (
        "There are no after-effects; you can drive and go back to work.",
    ),
    # anaesthesia
    "Your anaesthetist is a doctor who will look after you during your operation.": (
        "Anaesthetists are doctors with specialist training who keep you safe and comfortable during surgery.",
    ),
    "Sedation can be given with a spinal or a block so that you are relaxed and drowsy.": (
        "If you would like, we can give sedation so you are drowsy during the operation.",
    ),
    "Stop smoking as early as you can before your operation.": (
        "The earlier you stop smoking, the lower your risk of chest problems.",
    ),
    # blood clots
    "A blood clot in a vein (deep vein thrombosis) can form after surgery or when your leg is in plaster.": (
        "Surgery and being less mobile make clots in the leg veins more likely.",
        "A deep vein thrombosis is a clot in one of the deep veins, usually in the calf or thigh.",
    ),
    "Part of a clot can travel to the lungs (pulmonary embolism), which can be serious.": (
        "If a clot breaks off and reaches the lungs, it is called a pulmonary embolism.",
    ),
    "Get moving as soon as you can after your operation and keep drinking plenty of fluids.": (
        "Moving about and drinking enough fluids reduce the risk of clots.",
    ),
    "Take every dose of your blood thinner, and bring the sharps bin back as instructed.": (
        "Complete the full course of your blood-thinning medicine, even if you feel well.",
    ),
    # pain relief
    "Good pain relief helps you move, breathe deeply and sleep, which all speed up recovery.": (
        "When your pain is controlled you can move and sleep better, which helps you recover.",
    ),
    "Take painkillers regularly for the first few days rather than waiting until the pain is bad.": (
        "It is easier to keep pain under control than to catch up with it, so take your painkillers regularly at first.",
    ),
    "Reduce the strong painkillers first, then the anti-inflammatory, then paracetamol.": (
        "As the pain eases, stop the strongest painkiller first.",
    ),
    "Bring any unused strong painkillers to a pharmacy for safe disposal.": (
        "Return unused opioid tablets to a pharmacy.",
    ),
    # driving and work
    "You must be able to control the car safely, including an emergency stop, before you drive.": (
        "Before driving, you must be able to do an emergency stop without hesitation.",
    ),
    "It is your responsibility to decide when you are safe to drive; your surgeon can give guidance.": (
        "The decision to drive is yours; we can only advise.",
    ),
    "Do not drive while taking strong painkillers that make you drowsy.": (
        "Some painkillers slow your reactions; do not drive if you feel drowsy.",
    ),
    "A phased return, with shorter hours at first, helps many people.": (
        "Many people go back part-time first.",
    ),
    # steroid injection
    "A steroid injection reduces inflammation in a joint, such as the knee or shoulder, or around a tendon.": (
        "Steroid (cortisone) injections calm inflammation in joints and tendons.",
    ),
    "It is often mixed with local anaesthetic, so the area may feel numb for a few hours.": (
        "Local anaesthetic in the injection can make the area numb at first.",
    ),
    "Rest the joint for a day or two, then return to your usual activities.": (
        "Take it easy for 24 to 48 hours after the injection.",
    ),
    # frozen shoulder
    "A frozen shoulder is a painful stiffening of the lining of the shoulder joint.": (
        "In a frozen shoulder the joint capsule thickens and tightens, causing pain and stiffness.",
    ),
    "It is more common in people aged 40 to 60 and in people with diabetes.": (
        "People with diabetes are more likely to get it.",
    ),
    "Gentle stretching within the limits of pain is better than forcing the shoulder.": (
        "Do not force the shoulder; gentle stretches are enough.",
    ),
    # scoliosis
    "Scoliosis is a sideways curve of the spine, most often starting in children aged 10 to 15.": (
        "Adolescent idiopathic scoliosis is a curve of the spine that develops during the growth spurt.",
    ),
    "Wear a thin, close-fitting cotton top under the brace to protect your skin.": (
        "A seamless cotton vest under the brace prevents rubbing.",
    ),
    "You can take the brace off for showering, sport and swimming.": (
        "Sport and swimming are encouraged, out of the brace.",
    ),
    # nerve root injection, stimulator, kyphoplasty
    "The injection is guided by x-ray or CT so the needle reaches the right place.": (
        "We use x-ray or a CT scanner to guide the needle accurately.",
    ),
    "Spinal cord stimulation uses mild electrical pulses to change how pain signals travel to the brain.": (
        "A spinal cord stimulator sends gentle electrical signals that interfere with pain messages.",
    ),
    "Most people feel a tingling in the painful area, although some newer settings cannot be felt.": (
        "Stimulation is often felt as a pleasant tingling.",
    ),
    "A vertebral compression fracture is a collapse of one of the bones of the spine, most often because of osteoporosis.": (
        "Osteoporosis can cause a vertebra to collapse, often after a minor strain or with no injury at all.",
    ),
    "In a kyphoplasty a small balloon is first inflated inside the vertebra to make a space, which is then filled with cement.": (
        "Kyphoplasty uses a balloon to restore some height to the vertebra before the cement goes in.",
    ),
}
EXTRA_PHRASINGS.update(
    {
        # answers and warning signs that every leaflet on a subject would otherwise share
        "Try blowing cool air from a hairdryer on a cold setting into the cast.": (
            "A hairdryer on the cool setting, pointed into the cast, often eases itching.",
        ),
        "Check with the airline; most ask you to wait 24 to 48 hours after a cast is put on.": (
            "Many airlines will not let you fly within 24 to 48 hours of a new cast; ask them first.",
        ),
        "your fingers or toes become numb, blue, white or very swollen": (
            "fingers or toes that are cold, pale, blue or numb",
        ),
        "pain becomes much worse or the cast feels too tight": (
            "the cast feels too tight or pain is increasing",
        ),
        "the cast cracks, becomes soft or loose": (
            "a crack, a soft patch, or a cast that has become loose",
        ),
        "a smell or discharge comes from inside the cast": (
            "an unpleasant smell or fluid coming from under the cast",
        ),
        "Use a small backpack or a bag across your body, and a flask for hot drinks.": (
            "A rucksack or cross-body bag leaves your hands free for the crutches.",
        ),
        "Going upstairs: good leg first, then the injured leg, then the crutches. Going downstairs: crutches first, then the injured leg, then the good leg.": (
            "On stairs, remember: up with the good leg, down with the bad. Use the banister if there is one.",
        ),
        "To walk, move both crutches forward, then the injured leg, then step through with the good leg.": (
            "Put the crutches forward, step the injured leg to them, then step past with your good leg.",
        ),
        "redness spreading around the wound": ("redness around the wound that is spreading",),
        "the wound becomes hot, more swollen or more painful": (
            "a wound that is hotter, more swollen or more painful than the day before",
        ),
        "pus, a bad smell or increasing leakage from the wound": (
            "increasing discharge, pus or a smell from the wound",
        ),
        "the wound edges come apart": ("the edges of the wound separate",),
        "Yes. Bruising can spread down the leg and take several weeks to fade.": (
            "Yes; bruising often tracks down the leg and can take weeks to go.",
        ),
        "Under loose clothes most braces are hard to see.": (
            "Most braces cannot be seen under normal clothes.",
        ),
        "Your team will talk to you about other options, including whether an operation might be considered in future.": (
            "If the curve progresses, your consultant will discuss the next steps with you and your family.",
        ),
        "sore, red or broken areas on your skin that do not settle within an hour of taking the brace off": (
            "red marks that are still there an hour after the brace comes off, or any broken skin",
        ),
        "The result is given as a T-score; a score of -2.5 or lower means osteoporosis.": (
            "Your bone density is compared with that of a healthy young adult and given as a T-score.",
        ),
        "The report is sent to the doctor who referred you within [two to three|about two] weeks.": (
            "Your referring doctor will receive the results, usually within a few weeks.",
        ),
        "Some stimulators are safe for MRI under certain conditions; always tell staff you have a stimulator.": (
            "Tell anyone arranging a scan that you have a stimulator; some can be scanned safely with special settings.",
        ),
        "It may set off shop and airport security systems; carry your device card.": (
            "Carry your device card, as security gates may detect the stimulator.",
        ),
        "A scan is not usually needed unless your symptoms are not settling or a specialist is considering an injection or other treatment.": (
            "Most people with sciatica do not need a scan.",
        ),
        "Staying at work, with adjustments if needed, usually helps recovery.": (
            "Working, with some adjustments, often helps.",
        ),
        "numbness between your legs or around your bottom or genitals": (
            "numbness in the saddle area (between the legs)",
        ),
        "difficulty passing urine, loss of bladder or bowel control": (
            "problems passing urine or controlling your bladder or bowels",
        ),
        "weakness in both legs or legs that are getting weaker": ("weakness in both legs",),
        "Usually not. Scans often show normal age-related changes that do not explain pain.": (
            "Scans rarely help with back pain and can cause unnecessary worry.",
        ),
        "No. Bed rest for more than a day or two slows recovery.": (
            "No; staying in bed tends to make back pain last longer.",
        ),
        "Ask your team; many people are shown how to wash with a spare set of pads and change them afterwards.": (
            "Your nurse will show you how to wash safely while keeping your neck still.",
        ),
        "No. You must not drive while wearing a collar.": (
            "Driving is not allowed while you wear the collar.",
        ),
        "new numbness, tingling or weakness in your arms or legs": (
            "any new weakness or numbness in the arms or legs",
        ),
        "the collar is damaged or no longer fits": ("the collar breaks or feels loose",),
        "a sore area under the collar that is broken or leaking": ("broken skin under the collar",),
    }
)
